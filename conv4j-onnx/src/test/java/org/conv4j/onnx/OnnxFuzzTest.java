package org.conv4j.onnx;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded random mutations of valid fixtures (truncation, bit flips, overwritten runs of random
 * bytes, inserted bytes), each imported: every one must either import or fail with an
 * {@link OnnxFormatException} of one line; any other exception, an OutOfMemoryError or a hang
 * (the whole run is bounded in time) fails the test, naming the case to replay.
 *
 * <p>The CI run is 3,000 cases. A long run: {@code mvn -pl conv4j-onnx test -Dtest=OnnxFuzzTest
 * -Dconv4j.onnx.fuzz.cases=1000000 -Dconv4j.onnx.fuzz.seed=N -Dconv4j.onnx.fuzz.minutes=120}.
 */
class OnnxFuzzTest {
    private static final List<String> SEEDS = List.of("lenet5", "pad_reflect_conv", "concat_branches", "gemm_float_data");

    @Test
    void mutatedFilesImportOrFailCleanly() throws Exception {
        int cases = Integer.getInteger("conv4j.onnx.fuzz.cases", 3000);
        long seed = Long.getLong("conv4j.onnx.fuzz.seed", 1);
        int minutes = Integer.getInteger("conv4j.onnx.fuzz.minutes", 2);
        byte[][] originals = new byte[SEEDS.size()][];
        for (int k = 0; k < originals.length; k++) originals[k] = Files.readAllBytes(Fixtures.model(SEEDS.get(k)));
        int[] refused = new int[1];
        assertTimeoutPreemptively(Duration.ofMinutes(minutes), () -> {
            for (int c = 0; c < cases; c++) {
                SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + c);
                int which = rng.nextInt(originals.length);
                String what = "case " + c + " (seed " + seed + ", " + SEEDS.get(which) + ")";
                byte[] bytes = mutate(originals[which], rng);
                try {
                    OnnxImport.read(bytes, "fuzz.onnx");
                } catch (OnnxFormatException e) {
                    refused[0]++;
                    assertFalse(e.getMessage().contains("\n"), what + ": a message of several lines: " + e.getMessage());
                } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
                    fail(what + ": " + e, e);
                }
            }
        });
        // most mutations break the file; the rest (a flipped weight bit) still import
        assertTrue(refused[0] > cases / 3, refused[0] + " of " + cases + " refused");
    }

    private static byte[] mutate(byte[] in, SplittableRandom rng) {
        byte[] b = in.clone();
        switch (rng.nextInt(4)) {
            case 0 -> b = Arrays.copyOf(b, rng.nextInt(b.length));
            case 1 -> {
                for (int k = 1 + rng.nextInt(8); k > 0; k--) b[rng.nextInt(b.length)] ^= (byte) (1 << rng.nextInt(8));
            }
            case 2 -> {
                int at = rng.nextInt(b.length), len = Math.min(b.length - at, 1 + rng.nextInt(16));
                for (int k = 0; k < len; k++) b[at + k] = (byte) rng.nextInt(256);
            }
            default -> {
                int at = rng.nextInt(b.length + 1), len = 1 + rng.nextInt(8);
                byte[] r = new byte[b.length + len];
                System.arraycopy(b, 0, r, 0, at);
                for (int k = 0; k < len; k++) r[at + k] = (byte) rng.nextInt(256);
                System.arraycopy(b, at, r, at + len, b.length - at);
                b = r;
            }
        }
        return b;
    }
}
