package org.conv4j.golden;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.stream.Stream;
import org.conv4j.nn.AdaptiveAvgPool2d;
import org.conv4j.nn.AdaptiveMaxPool2d;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * AdaptiveAvgPool2d and AdaptiveMaxPool2d against PyTorch's: output and dx for sizes that divide,
 * that do not (7 -> 3, 5 -> 2: overlapping windows of different sizes), 1x1 outputs and outputs
 * larger than the input.
 */
class GoldenAdaptivePoolingTest {

    @TestFactory
    Stream<DynamicTest> adaptiveAvgPoolMatchesPyTorch() {
        return Fixture.family("adaptive_avgpool2d").stream().map(f -> dynamicTest(f.name(), () -> {
            int[] o = f.ints("output_size");
            Golden.checkLayer(f, new AdaptiveAvgPool2d(o[0], o[1]));
        }));
    }

    @TestFactory
    Stream<DynamicTest> adaptiveMaxPoolMatchesPyTorch() {
        return Fixture.family("adaptive_maxpool2d").stream().map(f -> dynamicTest(f.name(), () -> {
            int[] o = f.ints("output_size");
            Golden.checkLayer(f, new AdaptiveMaxPool2d(o[0], o[1]));
        }));
    }
}
