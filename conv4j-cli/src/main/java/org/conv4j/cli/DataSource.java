package org.conv4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.conv4j.data.Cifar10;
import org.conv4j.data.Dataset;
import org.conv4j.data.DatasetCatalog;
import org.conv4j.data.DatasetFormatException;
import org.conv4j.data.ImageFolderDataset;
import org.conv4j.data.Mnist;
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
 */
final class DataSource {
    static final String SAMPLE = "mnist-sample";

    private enum Kind {
        /** IDX or CIFAR-10 files, or a named data set: their own train and test parts. */
        FILES,
        /** train/ and test/ folders of class folders. */
        FOLDERS,
        /** Class folders only: one pool. */
        FLAT
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
        Path dir = spec.equals(SAMPLE) ? sampleDir() : Path.of(spec);
        if (!Files.isDirectory(dir)) {
            if (Files.exists(dir)) {
                throw new Main.UsageError("--data " + spec + " is a file, not a directory: give a directory of MNIST or CIFAR-10 files or of image folders");
            }
            if (spec.contains("/") || spec.contains(java.io.File.separator)) throw new Main.UsageError("no such directory: " + spec);
            DatasetCatalog catalog = new DatasetCatalog();
            if (!catalog.names().contains(spec)) {
                throw new Main.UsageError("unknown data set '" + spec + "': give a directory or one of " + SAMPLE + ", " + String.join(", ", catalog.names()));
            }
            return new DataSource(spec, null, Kind.FILES, null);
        }
        for (Split s : Split.values()) {
            if (Mnist.hasSplit(dir, s) || Cifar10.hasSplit(dir, s)) return new DataSource(spec, dir, Kind.FILES, null);
        }
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
        return dir == null || spec.equals(SAMPLE) ? spec : dir.toAbsolutePath().normalize().toString();
    }

    /** True for a flat folder of class folders, which runs divide by a stratified split. */
    boolean stratified() {
        return kind == Kind.FLAT;
    }

    /** True for image folders, whose class names are folder names and whose size is chosen when loading. */
    boolean imageFolders() {
        return kind != Kind.FILES;
    }

    /** The data set's own part {@code split}; not for a flat folder, which has none. */
    Dataset load(Split split) throws IOException {
        if (kind == Kind.FLAT) throw new IllegalStateException("a flat folder has no " + split.label() + " part of its own");
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

    /** Every image of a flat folder. */
    Dataset pool() throws IOException {
        return ImageFolderDataset.load(dir, folderShape.dim(0), folderShape.dim(1), folderShape.dim(2));
    }

    /** The parts of a run's split; the same split and data give the same parts. */
    Parts parts(RunConfig.DataSplit split) throws IOException {
        boolean stratified = split.kind().equals(RunConfig.DataSplit.STRATIFIED);
        if (stratified != (kind == Kind.FLAT)) {
            throw new Main.UsageError("the run's split is " + split.kind() + " but " + spec + (kind == Kind.FLAT
                    ? " is one pool of class folders" : " has train and test parts of its own"));
        }
        if (stratified) {
            Subset[] p = Subset.stratified(pool(), split.validation(), split.test(), split.seed());
            if (p[0].size() == 0 || p[2].size() == 0) {
                throw new Main.UsageError("the split of " + spec + " leaves " + p[0].size() + " images for training and " + p[2].size() + " for testing");
            }
            return new Parts(p[0], p[1].size() > 0 ? p[1] : null, p[2]);
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
        return new Parts(p[0], valCount > 0 ? p[1] : null, test);
    }

    /** Whether two --data values name the same data: the same text, or directories that are the same. */
    static boolean same(String a, String b) throws IOException {
        if (a.equals(b)) return true;
        Path pa = a.equals(SAMPLE) ? sampleDir() : Path.of(a), pb = b.equals(SAMPLE) ? sampleDir() : Path.of(b);
        return Files.isDirectory(pa) && Files.isDirectory(pb) && Files.isSameFile(pa, pb);
    }

    private static boolean hasSubdirectories(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.anyMatch(Files::isDirectory);
        }
    }
}
