package org.conv4j.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.stream.Stream;
import org.conv4j.nn.BatchNorm1d;
import org.conv4j.nn.BatchNorm2d;
import org.conv4j.nn.Layer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * BatchNorm1d over (N, K) and BatchNorm2d over (N, C, H, W) against PyTorch with eps 1e-5 and
 * momentum 0.1 (the defaults). TRAIN: batch statistics, y, dx, dweight, dbias, and the running
 * statistics after the step, {@code running = 0.9 running + 0.1 batch} where PyTorch uses the
 * UNBIASED batch variance {@code n / (n - 1)} for running_var (normalizing uses the biased one).
 * EVAL: normalizes with the running statistics. Includes SPEC 2 example 7.
 */
class GoldenBatchNormTest {

    @TestFactory
    Stream<DynamicTest> batchNorm1dMatchesPyTorch() {
        return Fixture.family("batchnorm1d").stream().map(f -> dynamicTest(f.name(), () -> check(f, new BatchNorm1d(f.integer("num_features")))));
    }

    @TestFactory
    Stream<DynamicTest> batchNorm2dMatchesPyTorch() {
        return Fixture.family("batchnorm2d").stream().map(f -> dynamicTest(f.name(), () -> check(f, new BatchNorm2d(f.integer("num_features")))));
    }

    private static void check(Fixture f, Layer bn) {
        // the fixtures use PyTorch's defaults, which conv4j's BatchNorm is expected to share
        assertEquals(1e-5f, f.number("eps"), f.toString());
        assertEquals(0.1f, f.number("momentum"), f.toString());
        Golden.checkLayer(f, bn);
    }
}
