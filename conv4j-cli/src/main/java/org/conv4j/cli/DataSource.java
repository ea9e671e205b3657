package org.conv4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.conv4j.data.Cifar10;
import org.conv4j.data.Dataset;
import org.conv4j.data.DatasetCatalog;
import org.conv4j.data.ImageFolderDataset;
import org.conv4j.data.Mnist;
import org.conv4j.data.Split;

/**
 * Resolves the commands' {@code --data NAME|DIR}: a directory in MNIST's IDX layout, CIFAR-10's
 * binary layout or one sub-directory of images per class; or a named data set
 * ({@code mnist-sample}, shipped with conv4j; {@code mnist}, {@code fashion-mnist}, {@code cifar-10}
 * from the local cache or system directories).
 */
final class DataSource {
    static final String SAMPLE = "mnist-sample";

    private DataSource() {
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

    /** Loads a split; image folders are resized to {@code size} (channels, height, width) when given. */
    static Dataset load(String spec, Split split, int[] imageFolderSize) throws IOException {
        Path dir = Path.of(spec);
        if (spec.equals(SAMPLE)) dir = sampleDir();
        if (Files.isDirectory(dir)) {
            if (Mnist.hasSplit(dir, split)) return Mnist.load(dir, split);
            if (Cifar10.hasSplit(dir, split)) return Cifar10.load(dir, split);
            Path folder = Files.isDirectory(dir.resolve(split.label())) ? dir.resolve(split.label()) : dir;
            if (imageFolderSize != null && hasSubdirectories(folder)) {
                return ImageFolderDataset.load(folder, imageFolderSize[0], imageFolderSize[1], imageFolderSize[2]);
            }
            throw new Main.UsageError(dir + " holds no " + split.label() + " data: expected MNIST IDX files (" + Mnist.prefix(split)
                    + "-images-idx3-ubyte[.gz] and " + Mnist.prefix(split) + "-labels-idx1-ubyte[.gz]), CIFAR-10 binary batches"
                    + (imageFolderSize != null ? " or one sub-directory of images per class" : ""));
        }
        if (spec.contains("/") || spec.contains(java.io.File.separator)) throw new Main.UsageError("no such directory: " + spec);
        DatasetCatalog catalog = new DatasetCatalog();
        if (!catalog.names().contains(spec)) {
            throw new Main.UsageError("unknown data set '" + spec + "': give a directory or one of " + SAMPLE + ", " + String.join(", ", catalog.names()));
        }
        return catalog.load(spec, split, null);
    }

    private static boolean hasSubdirectories(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.anyMatch(Files::isDirectory);
        }
    }
}
