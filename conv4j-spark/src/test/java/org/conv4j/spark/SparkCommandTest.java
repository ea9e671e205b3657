package org.conv4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.conv4j.cli.Main;
import org.conv4j.io.ModelFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkCommandTest {
    private static String[] run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    /** One epoch on the MNIST sample through train --spark local[2], then a resume to the second: a whole run directory. */
    @Test
    void trainSparkWritesARunAndResumes(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        String data = SparkTests.MNIST.toString();
        String[] r = run("train", "--spark", "local[2]", "--data", data, "--epochs", "2", "--stop-after", "1", "--out", run.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("stopped after epoch 1 of 2"), r[1]);
        r = run("train", "--spark", "local[2]", "--resume", run.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("resuming " + run + " after epoch 1 of 2"), r[1]);
        assertTrue(r[1].matches("(?s).*test: accuracy \\d+\\.\\d\\d%.*"), r[1]);
        List<String> log = Files.readAllLines(run.resolve("metrics.csv"));
        assertEquals(3, log.size(), "header and two epochs: " + log);
        assertEquals(2, Integer.parseInt(ModelFile.read(run.resolve("checkpoints/last.safetensors")).extraMetadata().get("trainer").replaceAll(".*\"epochs_done\": ?(\\d+).*", "$1")));
    }
}
