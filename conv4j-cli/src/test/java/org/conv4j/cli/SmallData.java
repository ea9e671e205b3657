package org.conv4j.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.conv4j.data.Idx;
import org.conv4j.data.IdxArray;

/** Small data sets that keep the training tests quick: part of the bundled MNIST sample, and folders of generated PNGs. */
final class SmallData {
    static final Path SAMPLE = Path.of(System.getProperty("conv4j.home"), "data", "mnist-sample");

    private SmallData() {
    }

    /** The first {@code train} training and {@code test} test digits of the sample, as raw IDX files in {@code dir}. */
    static Path mnist(Path dir, int train, int test) throws IOException {
        Files.createDirectories(dir);
        copy("train", train, dir);
        copy("t10k", test, dir);
        return dir;
    }

    private static void copy(String prefix, int n, Path dir) throws IOException {
        for (String kind : new String[] {"images-idx3-ubyte", "labels-idx1-ubyte"}) {
            IdxArray a = Idx.read(SAMPLE.resolve(prefix + "-" + kind + ".gz"));
            int[] dims = a.dims().clone();
            int per = a.size() / dims[0];
            dims[0] = n;
            ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + n * per);
            b.put((byte) 0).put((byte) 0).put((byte) 0x08).put((byte) dims.length);
            for (int d : dims) b.putInt(d);
            b.put(Arrays.copyOf(a.data(), n * per));
            Files.write(dir.resolve(prefix + "-" + kind), b.array());
        }
    }

    /**
     * A folder of class folders of {@code perClass} grey 28x28 PNGs each, every image different:
     * "bars" (horizontal stripes), "columns" (vertical stripes) and "dots" (a checkerboard), with noise.
     */
    static Path shapes(Path dir, int perClass, long seed) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        String[] classes = {"bars", "columns", "dots"};
        for (int c = 0; c < classes.length; c++) {
            Path folder = Files.createDirectories(dir.resolve(classes[c]));
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
                int phase = rng.nextInt(4);
                for (int y = 0; y < 28; y++) {
                    for (int x = 0; x < 28; x++) {
                        boolean on = switch (c) {
                            case 0 -> (y + phase) / 2 % 2 == 0;
                            case 1 -> (x + phase) / 2 % 2 == 0;
                            default -> ((x + phase) / 2 + (y + phase) / 2) % 2 == 0;
                        };
                        img.getRaster().setSample(x, y, 0, (on ? 200 : 30) + rng.nextInt(40));
                    }
                }
                ImageIO.write(img, "png", folder.resolve(String.format("%03d.png", i)).toFile());
            }
        }
        return dir;
    }
}
