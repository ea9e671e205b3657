package org.conv4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.conv4j.data.Cifar10;
import org.conv4j.data.Dataset;
import org.conv4j.data.DatasetCatalog;
import org.conv4j.data.DatasetFormatException;
import org.conv4j.data.ImageFolderDataset;
import org.conv4j.data.MaskFolders;
import org.conv4j.data.Mnist;
import org.conv4j.data.MnistSegmentation;
import org.conv4j.data.SegmentationDataset;
import org.conv4j.data.Split;
import org.conv4j.data.Subset;
import org.conv4j.tensor.Shape;
import org.conv4j.train.RunConfig;

/**
 * Resolves the commands' {@code --data NAME|DIR}: a directory in MNIST's IDX layout or CIFAR-10's
 * binary layout, a directory with {@code train/} and {@code test/} folders of class folders, or a
 * flat directory of class folders (one pool of images, divided by a stratified split); or a
 * named data set ({@code mnist-sample}, shipped with conv4j; {@code mnist}, {@code fashion-mnist},
 * {@code cifar-10} from the local cache or system directories). Parts are loaded when first asked for.
 *
 * <p>Segmentation data (images with a class per pixel, as {@link SegmentationDataset}s): a
 * directory with {@code images/} and {@code masks/} folders (one pool, divided by a seeded random
 * split), or {@code mnist-seg}, the MNIST canvases {@link MnistSegmentation} builds from the
 * shipped sample (its own training and test parts).
 */
final class DataSource {
    static final String SAMPLE = "mnist-sample";
    /** The segmentation task built from the shipped sample. */
    static final String SEGMENT_SAMPLE = "mnist-seg";

    private enum Kind {
        /** IDX or CIFAR-10 files, or a named data set: their own train and test parts. */
        FILES,
        /** train/ and test/ folders of class folders. */
        FOLDERS,
        /** Class folders only: one pool. */
        FLAT,
        /** images/ and masks/ folders: one pool of segmentation samples. */
        MASKS,
        /** The MNIST canvases of the shipped sample. */
        MNIST_SEG
    }

    /** A run's data: training, validation (null when none is held out) and test. */
    record Parts(Dataset train, Dataset validation, Dataset test) {
    }

    private final String spec;
    private final Path dir;
    private final Kind kind;
    private final Shape folderShape;

    private DataSource(String spec, Path dir, Kind kind, Shape folderShape) {
        this.spec = spec;
        this.dir = dir;
        this.kind = kind;
        this.folderShape = folderShape;
    }

    /** The MNIST sample in the repository, found through the launcher's conv4j.home property or the working directory. */
    static Path sampleDir() {
        String home = System.getProperty("conv4j.home");
        Path base = home != null ? Path.of(home) : Path.of("").toAbsolutePath();
        Path dir = base.resolve("data").resolve(SAMPLE);
        if (!Files.isDirectory(dir)) {
            throw new Main.UsageError("the bundled MNIST sample is not at " + dir + "; run conv4j through the ./conv4j launcher or pass --data DIR");
        }
        return dir;
    }

    /**
     * Resolves {@code spec}. Image folders are loaded at {@code folderShape} (C, H, W), or when it
     * is null at the shape {@link ImageFolderDataset#inferShape} finds in the training images.
     */
    static DataSource open(String spec, Shape folderShape) throws IOException {
        if (spec.equals(SEGMENT_SAMPLE)) return new DataSource(spec, sampleDir(), Kind.MNIST_SEG, null);
        Path dir = spec.equals(SAMPLE) ? sampleDir() : Path.of(spec);
        if (!Files.isDirectory(dir)) {
            if (Files.exists(dir)) {
                throw new Main.UsageError("--data " + spec + " is a file, not a directory: give a directory of MNIST or CIFAR-10 files or of image folders");
            }
            if (spec.contains("/") || spec.contains(java.io.File.separator)) throw new Main.UsageError("no such directory: " + spec);
            DatasetCatalog catalog = new DatasetCatalog();
            if (!catalog.names().contains(spec)) {
                throw new Main.UsageError("unknown data set '" + spec + "': give a directory or one of " + SAMPLE + ", " + SEGMENT_SAMPLE + ", "
                        + String.join(", ", catalog.names()));
            }
            return new DataSource(spec, null, Kind.FILES, null);
        }
        for (Split s : Split.values()) {
            if (Mnist.hasSplit(dir, s) || Cifar10.hasSplit(dir, s)) return new DataSource(spec, dir, Kind.FILES, null);
        }
        if (MaskFolders.isMaskFolders(dir)) return new DataSource(spec, dir, Kind.MASKS, folderShape);
        Path train = dir.resolve(Split.TRAIN.label()), test = dir.resolve(Split.TEST.label());
        Kind kind = Files.isDirectory(train) || Files.isDirectory(test) ? Kind.FOLDERS : hasSubdirectories(dir) ? Kind.FLAT : null;
        if (kind == null) {
            throw new Main.UsageError(dir + " holds no data: expected MNIST IDX files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], "
                    + "t10k-...), CIFAR-10 binary batches, train/ and test/ folders of class folders, or class folders of images");
        }
        Path images = kind == Kind.FLAT ? dir : Files.isDirectory(train) ? train : test;
        if (folderShape == null) {
            try {
                folderShape = ImageFolderDataset.inferShape(images);
            } catch (DatasetFormatException e) {
                throw new Main.UsageError(e.getMessage() + "; give --input CxHxW");
            }
        }
        return new DataSource(spec, dir, kind, folderShape);
    }

    /**
     * The data as a run saves it: a directory as an absolute path, so the run can be resumed and
     * its split found again from any working directory; a name (the sample's included) as it is.
     */
    String saved() {
        return dir == null || spec.equals(SAMPLE) || spec.equals(SEGMENT_SAMPLE) ? spec : dir.toAbsolutePath().normalize().toString();
    }

    /** True for one pool of samples (class folders, or images/ and masks/), which runs divide by a stratified split. */
    boolean stratified() {
        return kind == Kind.FLAT || kind == Kind.MASKS;
    }

    /** True for segmentation data: its parts are {@link SegmentationDataset}s. */
    boolean segmentation() {
        return kind == Kind.MASKS || kind == Kind.MNIST_SEG;
    }

    /** True for image folders, whose class names are folder names and whose size is chosen when loading. */
    boolean imageFolders() {
        return kind == Kind.FOLDERS || kind == Kind.FLAT;
    }

    /** The data set's own part {@code split}; not for a flat folder, which has none. */
    Dataset load(Split split) throws IOException {
        if (kind == Kind.FLAT || kind == Kind.MASKS) throw new IllegalStateException("a pool of images has no " + split.label() + " part of its own");
        if (kind == Kind.MNIST_SEG) return MnistSegmentation.load(dir, split);
        if (dir == null) return new DatasetCatalog().load(spec, split, null);
        if (kind == Kind.FOLDERS) {
            Path folder = dir.resolve(split.label());
            if (!Files.isDirectory(folder)) throw new Main.UsageError(dir + " has a " + other(split).label() + "/ folder but no " + split.label() + "/ folder");
            return ImageFolderDataset.load(folder, folderShape.dim(0), folderShape.dim(1), folderShape.dim(2));
        }
        if (Mnist.hasSplit(dir, split)) return Mnist.load(dir, split);
        if (Cifar10.hasSplit(dir, split)) return Cifar10.load(dir, split);
        throw new Main.UsageError(dir + " holds no " + split.label() + " data: expected MNIST IDX files (" + Mnist.prefix(split)
                + "-images-idx3-ubyte[.gz] and " + Mnist.prefix(split) + "-labels-idx1-ubyte[.gz]) or CIFAR-10 binary batches");
    }

    private static Split other(Split s) {
        return s == Split.TRAIN ? Split.TEST : Split.TRAIN;
    }

    /**
     * Every image of a flat folder; or of images/ and masks/ folders, with as many channels as
     * {@code --input} gives (3 without it) and as many classes as the largest mask value but 255, plus one.
     */
    Dataset pool() throws IOException {
        if (kind == Kind.MASKS) {
            SegmentationDataset d = MaskFolders.load(dir, folderShape == null ? 3 : folderShape.dim(0), 0, RunConfig.IGNORE_INDEX);
            if (folderShape != null && !d.sampleShape().equals(folderShape)) {
                throw new Main.UsageError("the images of " + dir + " are " + d.sampleShape().dim(0) + "x" + d.sampleShape().dim(1) + "x" + d.sampleShape().dim(2)
                        + ", not " + folderShape.dim(0) + "x" + folderShape.dim(1) + "x" + folderShape.dim(2));
            }
            return d;
        }
        return ImageFolderDataset.load(dir, folderShape.dim(0), folderShape.dim(1), folderShape.dim(2));
    }

    /** A part of a split: a view of the images, or for segmentation data a copy with the masks. */
    private static Dataset part(Dataset all, Subset s) {
        if (!(all instanceof SegmentationDataset seg)) return s;
        int[] indices = new int[s.size()];
        for (int i = 0; i < indices.length; i++) indices[i] = s.sourceIndex(i);
        return seg.select(indices);
    }

    /** The parts of a run's split; the same split and data give the same parts. */
    Parts parts(RunConfig.DataSplit split) throws IOException {
        boolean stratified = split.kind().equals(RunConfig.DataSplit.STRATIFIED);
        if (stratified != stratified()) {
            throw new Main.UsageError("the run's split is " + split.kind() + " but " + spec + (stratified()
                    ? " is one pool of images" : " has train and test parts of its own"));
        }
        if (stratified) {
            Dataset pool = pool();
            Subset[] p = Subset.stratified(pool, split.validation(), split.test(), split.seed());
            if (p[0].size() == 0 || p[2].size() == 0) {
                throw new Main.UsageError("the split of " + spec + " leaves " + p[0].size() + " images for training and " + p[2].size() + " for testing");
            }
            return new Parts(part(pool, p[0]), p[1].size() > 0 ? part(pool, p[1]) : null, part(pool, p[2]));
        }
        Dataset all = load(Split.TRAIN), test = load(Split.TEST);
        if (kind == Kind.FOLDERS && !all.classNames().equals(test.classNames())) {
            throw new Main.UsageError(dir.resolve("test") + " has the classes " + test.classNames() + " but " + dir.resolve("train") + " has " + all.classNames());
        }
        int valCount = (int) Math.round(all.size() * split.validation());
        if (split.validation() > 0 && (valCount < 1 || valCount >= all.size())) {
            throw new Main.UsageError("a validation fraction of " + split.validation() + " leaves no training or no validation data out of " + all.size() + " images");
        }
        Subset[] p = Subset.split(all, valCount, split.seed());
        return new Parts(part(all, p[0]), valCount > 0 ? part(all, p[1]) : null, test);
    }

    /** Whether two --data values name the same data: the same text, or directories that are the same. */
    static boolean same(String a, String b) throws IOException {
        if (a.equals(b)) return true;
        if (a.equals(SEGMENT_SAMPLE) || b.equals(SEGMENT_SAMPLE)) return false;
        Path pa = a.equals(SAMPLE) ? sampleDir() : Path.of(a), pb = b.equals(SAMPLE) ? sampleDir() : Path.of(b);
        return Files.isDirectory(pa) && Files.isDirectory(pb) && Files.isSameFile(pa, pb);
    }

    private static boolean hasSubdirectories(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.anyMatch(Files::isDirectory);
        }
    }
}
