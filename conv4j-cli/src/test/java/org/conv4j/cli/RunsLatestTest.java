package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.conv4j.data.Idx;
import org.conv4j.data.IdxArray;
import org.conv4j.io.Json;
import org.conv4j.io.ModelFile;
import org.conv4j.nn.Init;
import org.conv4j.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code runs/latest}: train points it at the newest run, and every command that takes a run follows it. */
class RunsLatestTest {
    @TempDir
    Path dir;

    /** 300 training and 100 test digits of the bundled sample, as uncompressed IDX files. */
    private Path smallMnist() throws IOException {
        Path sample = Path.of(System.getProperty("conv4j.home"), "data", "mnist-sample");
        IdxArray images = Idx.read(sample.resolve("t10k-images-idx3-ubyte.gz")), labels = Idx.read(sample.resolve("t10k-labels-idx1-ubyte.gz"));
        Path data = Files.createDirectories(dir.resolve("data"));
        writeIdx(data.resolve("train-images-idx3-ubyte"), images, 0, 300, 28 * 28, 28, 28);
        writeIdx(data.resolve("train-labels-idx1-ubyte"), labels, 0, 300, 1);
        writeIdx(data.resolve("t10k-images-idx3-ubyte"), images, 300, 100, 28 * 28, 28, 28);
        writeIdx(data.resolve("t10k-labels-idx1-ubyte"), labels, 300, 100, 1);
        return data;
    }

    private static void writeIdx(Path file, IdxArray a, int first, int count, int itemSize, int... itemDims) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.writeInt(0x0800 | (1 + itemDims.length));
            out.writeInt(count);
            for (int d : itemDims) out.writeInt(d);
            for (int i = first * itemSize; i < (first + count) * itemSize; i++) out.writeByte(a.unsigned(i));
        }
    }

    private static Map<String, Object> json(Cli r) {
        assertEquals(0, r.exitCode(), r.err());
        return Json.parseObject(r.out().trim());
    }

    @Test
    void trainPointsLatestAtTheNewestRunAndEveryCommandFollowsIt() throws IOException {
        Path data = smallMnist(), runs = dir.resolve("runs"), latest = runs.resolve("latest");
        for (String run : List.of("first", "second")) {
            Cli train = Cli.run("train", "--data", data.toString(), "--epochs", "1", "--val-split", "0", "--seed", run.equals("first") ? "1" : "2",
                    "--out", runs.resolve(run).toString(), "--mkdirs", "--json"); // runs/ does not exist yet (issue 21: only created when asked)
            assertEquals(0, train.exitCode(), train.err());
            assertTrue(Files.isSymbolicLink(latest));
            assertEquals(Path.of(run), Files.readSymbolicLink(latest), "a relative link to the newest run");
        }
        Map<String, Object> second = Json.parseObject(Files.readString(runs.resolve("second/test.json")));
        Map<String, Object> first = Json.parseObject(Files.readString(runs.resolve("first/test.json")));
        assertNotEquals(first.get("loss"), second.get("loss"), "two different models");

        Map<String, Object> eval = json(Cli.run("eval", "--model", latest.toString(), "--data", data.toString(), "--json"));
        assertEquals(second.get("loss"), eval.get("loss"));
        assertEquals(second.get("accuracy"), eval.get("accuracy"));

        assertEquals(List.of(1L, 1L, 28L, 28L), json(Cli.run("summary", "--model", latest.toString(), "--json")).get("input"));
        Cli predict = Cli.run("predict", "--model", latest.toString(), data.resolve("t10k-images-idx3-ubyte").toString(), "--limit", "2");
        assertEquals(0, predict.exitCode(), predict.err());
        assertEquals(2, predict.out().split("\\R").length, predict.out());

        Cli visualize = Cli.run("visualize", "--model", latest.toString());
        assertEquals(0, visualize.exitCode(), visualize.err());
        assertTrue(Files.isRegularFile(runs.resolve("second/visualize/filters.png")), "pictures inside the run");

        Files.delete(runs.resolve("second/report.html"));
        Cli report = Cli.run("report", "--run", latest.toString(), "--json");
        assertEquals(0, report.exitCode(), report.err());
        assertTrue(Files.isRegularFile(runs.resolve("second/report.html")));
    }

    /** Where symbolic links cannot be made, runs/latest is a text file naming the run. */
    @Test
    void aLatestTextFileIsFollowedAndReplacedByALink() throws IOException {
        Path runs = Files.createDirectories(dir.resolve("runs"));
        Init.seed(5);
        ModelFile.save(Zoo.build("lenet5", 1, 28, 28, 10), Files.createDirectories(runs.resolve("a")).resolve("model.safetensors"),
                Map.of(), Map.of("input_shape", "1x28x28"));
        Files.writeString(runs.resolve("latest"), "a\n");
        Map<String, Object> viaLatest = json(Cli.run("eval", "--model", runs.resolve("latest").toString(), "--json"));
        Map<String, Object> direct = json(Cli.run("eval", "--model", runs.resolve("a").toString(), "--json"));
        assertEquals(direct.get("loss"), viaLatest.get("loss"));
        assertEquals(runs.resolve("a"), new Runs.Converter().convert(runs.resolve("latest").toString()), "train --resume runs/latest");

        Files.writeString(runs.resolve("latest"), "../a\n");
        Cli bad = Cli.run("eval", "--model", runs.resolve("latest").toString());
        assertEquals(2, bad.exitCode());
        assertArrayEquals(new String[] {"conv4j eval: " + runs.resolve("latest") + " should name a run in its folder, got '../a'"}, bad.errLines());

        Path b = Files.createDirectories(runs.resolve("b"));
        StringWriter err = new StringWriter();
        assertEquals(runs.resolve("latest").toAbsolutePath(), Runs.markLatest(b, new PrintWriter(err, true)));
        assertEquals(Path.of("b"), Files.readSymbolicLink(runs.resolve("latest")), "the text file replaced by a link");
        assertEquals("", err.toString());
        try (var files = Files.list(runs)) {
            assertEquals(List.of("a", "b", "latest"), files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary left");
        }
    }

    @Test
    void onlyARunsFolderGetsALatestLink() throws IOException {
        Path elsewhere = Files.createDirectories(dir.resolve("experiments/x"));
        assertNull(Runs.markLatest(elsewhere, new PrintWriter(new StringWriter())));
        assertFalse(Files.exists(dir.resolve("experiments/latest")));
        assertNull(Runs.markLatest(Files.createDirectories(dir.resolve("runs/latest")), new PrintWriter(new StringWriter())), "a run called latest");
    }
}
