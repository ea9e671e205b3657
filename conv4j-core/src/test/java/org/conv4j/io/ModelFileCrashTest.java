package org.conv4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Linear;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a process that is saving models (SIGKILL, no shutdown hooks) at random moments: after
 * every kill the file must load and be exactly one of the two models the process alternates
 * between, and stale temporary files must not pile up.
 */
class ModelFileCrashTest {
    @TempDir
    Path dir;

    static Layer modelA() {
        return ModelFileTest.lenet(101);
    }

    /** Different architecture and size from A (about 2 MB), so a mix of the two would show. */
    static Layer modelB() {
        Init.seed(202);
        return new Sequential(new Conv2d(3, 8, 3).padding(1), new ReLU(), new Flatten(), new Linear(8 * 16 * 16, 256));
    }

    private List<Path> temporaries(Path target) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> AtomicFiles.isTemporaryOf(target, p)).collect(Collectors.toList());
        }
    }

    @Test
    void killedWritersNeverLeaveABrokenFile() throws Exception {
        Layer a = modelA(), b = modelB();
        Path file = dir.resolve("model.safetensors");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        SplittableRandom rng = new SplittableRandom(7);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(14);
        int kills = 0, foundA = 0, foundB = 0, midWrite = 0;
        while (kills < 15 && System.nanoTime() < deadline) {
            Process p = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    CrashTestWriter.class.getName(), file.toString()).redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String line = out.readLine();
                if (!"ready".equals(line)) fail("child did not start: " + line + "\n" + out.lines().collect(Collectors.joining("\n")));
                if (kills == 0) {
                    // the first child must finish one save; later ones are killed at any moment of their loop
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (!Files.exists(file) && System.nanoTime() < until) Thread.sleep(5);
                }
                Thread.sleep(rng.nextInt(0, 150));
            } finally {
                p.destroyForcibly();
                assertTrue(p.waitFor(10, TimeUnit.SECONDS), "child did not die");
            }
            kills++;
            List<Path> temps = temporaries(file);
            if (!temps.isEmpty()) midWrite++;
            assertTrue(temps.size() <= 1, "stale temporaries pile up: " + temps);
            Layer loaded = ModelFile.load(file);
            if (ModelFileTest.sameModel(a, loaded)) {
                foundA++;
            } else if (ModelFileTest.sameModel(b, loaded)) {
                foundB++;
            } else {
                fail("after kill " + kills + " the file holds neither model: " + loaded);
            }
        }
        assertTrue(kills >= 3, "only " + kills + " kills in the time allowed");
        assertEquals(kills, foundA + foundB);
        AtomicFiles.deleteStaleTemporaries(file);
        assertEquals(List.of(), temporaries(file));
        System.out.printf("ModelFileCrashTest: %d kills, %d mid-write (stale temporary left), model A %d times, B %d times%n", kills, midWrite, foundA, foundB);
    }
}
