package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.conv4j.io.ModelFile;
import org.conv4j.kernel.Parallel;
import org.conv4j.zoo.Zoo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 21's command-line messages: each bad argument answered with one precise line, and nothing created uninvited. */
class HostileCliTest {
    @TempDir
    static Path dir;
    static Path png, model;

    @BeforeAll
    static void files() throws IOException {
        png = dir.resolve("in.png");
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < 28; i++) img.getRaster().setSample(i, i, 0, 255);
        ImageIO.write(img, "png", png.toFile());
        model = dir.resolve("lenet.safetensors");
        ModelFile.save(Zoo.build("lenet5", 1, 28, 28, 10), model);
    }

    private static String oneLine(Cli r, int code) {
        assertEquals(code, r.exitCode(), r.err());
        String[] lines = r.errLines();
        assertEquals(1, lines.length, "one line, got: " + r.err());
        return lines[0];
    }

    @Test
    void tenThousandThreadsAreRefusedAtOnce() {
        long t0 = System.nanoTime();
        Cli r = Cli.run("train", "--threads", "10000", "--epochs", "1");
        String line = oneLine(r, 2);
        assertTrue(line.startsWith("conv4j train: --threads 10000 is over the maximum of " + Parallel.maxThreads() + " (4 per core, at least 64"), line);
        assertTrue((System.nanoTime() - t0) / 1e9 < 5, "answered at once");
        line = oneLine(Cli.run("predict", "--model", "lenet5", "--threads", "10000", png.toString()), 2);
        assertTrue(line.contains("--threads 10000 is over the maximum"), line);
    }

    @Test
    void outNamingAnExistingFileSaysSo() throws IOException {
        Path file = Files.writeString(dir.resolve("taken"), "x");
        String line = oneLine(Cli.run("train", "--epochs", "1", "--out", file.toString()), 2);
        assertEquals("conv4j train: --out " + file + " is an existing file; it must name a run directory (new or existing)", line);
    }

    @Test
    void filterDoesNotCreateDirectories() {
        Path out = dir.resolve("no/such/dir/out.png");
        String line = oneLine(Cli.run("filter", "-k", "mean3", png.toString(), out.toString()), 2);
        assertEquals("conv4j filter: the output " + out + ": the directory " + out.getParent() + " does not exist (create it, or pass --mkdirs)", line);
        assertFalse(Files.exists(dir.resolve("no")), "no directory was created");
        Cli r = Cli.run("filter", "-k", "mean3", "--mkdirs", png.toString(), out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(Files.isRegularFile(out));
    }

    @Test
    void visualizeDoesNotCreateParentDirectories() {
        Path out = dir.resolve("none/maps");
        String line = oneLine(Cli.run("visualize", "--model", model.toString(), "--input", "1x28x28", "--out", out.toString()), 2);
        assertEquals("conv4j visualize: --out " + out + ": the directory " + out.getParent() + " does not exist (create it, or pass --mkdirs)", line);
        assertFalse(Files.exists(dir.resolve("none")));
    }

    @Test
    void aFileGivenAsDataSaysItIsAFile() {
        String line = oneLine(Cli.run("eval", "--model", model.toString(), "--data", png.toString()), 2);
        assertEquals("conv4j eval: --data " + png + " is a file, not a directory: give a directory of MNIST or CIFAR-10 files or of image folders", line);
    }

    @Test
    void aDirectoryGivenAsAnImageSaysItIsADirectory() {
        String line = oneLine(Cli.run("predict", "--model", model.toString(), "--input", "1x28x28", dir.toString()), 2);
        assertEquals("conv4j predict: " + dir + " is a directory, not an image file", line);
        line = oneLine(Cli.run("filter", "-k", "mean3", dir.toString(), dir.resolve("o.png").toString()), 2);
        assertEquals("conv4j filter: " + dir + " is a directory, not an image file", line);
    }

    @Test
    void aTextFileGivenAsAModelIsNotAModelFile() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.txt"), "these are my notes, not a model\n".repeat(20));
        String line = oneLine(Cli.run("predict", "--model", text.toString(), png.toString()), 1);
        assertTrue(line.startsWith("conv4j predict: " + text + ": not a conv4j model file (header length "), line);
        assertTrue(line.endsWith("the file starts with text \"these ar\")"), line);
    }

    @Test
    void idxErrorsSayWhatIsWrong() throws IOException {
        ByteBuffer raw = ByteBuffer.allocate(16 + 2 * 784).putInt(0x00000803).putInt(2).putInt(28).putInt(28);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(raw.array());
        }
        byte[] b = gz.toByteArray();
        Path cut = dir.resolve("cut-idx3-ubyte.gz");
        Files.write(cut, Arrays.copyOf(b, b.length - 12));
        String line = oneLine(Cli.run("predict", "--model", model.toString(), "--input", "1x28x28", cut.toString()), 1);
        assertEquals("conv4j predict: " + cut + ": corrupt gzip stream: truncated, the compressed data end before the gzip trailer", line);
        assertFalse(line.contains("null"), line);
    }
}
