package org.conv4j.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.stream.Stream;
import org.conv4j.nn.AvgPool2d;
import org.conv4j.nn.GlobalAvgPool2d;
import org.conv4j.nn.MaxPool2d;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * MaxPool2d, AvgPool2d and GlobalAvgPool2d against PyTorch's MaxPool2d, AvgPool2d and
 * AdaptiveAvgPool2d(1): output and dx, including padding, dilation, ceil_mode (whose last window
 * must start inside the input or its left padding) and count_include_pad.
 */
class GoldenPoolingTest {

    @TestFactory
    Stream<DynamicTest> maxPoolMatchesPyTorch() {
        return Fixture.family("maxpool2d").stream().map(f -> dynamicTest(f.name(), () -> {
            int[] k = f.ints("kernel"), s = f.ints("stride"), p = f.ints("padding"), d = f.ints("dilation");
            Golden.checkLayer(f, new MaxPool2d(k[0], k[1]).stride(s[0], s[1]).padding(p[0], p[1])
                    .dilation(d[0], d[1]).ceilMode(f.bool("ceil_mode")));
        }));
    }

    @TestFactory
    Stream<DynamicTest> avgPoolMatchesPyTorch() {
        return Fixture.family("avgpool2d").stream().map(f -> dynamicTest(f.name(), () -> {
            int[] k = f.ints("kernel"), s = f.ints("stride"), p = f.ints("padding");
            Golden.checkLayer(f, new AvgPool2d(k[0], k[1]).stride(s[0], s[1]).padding(p[0], p[1])
                    .ceilMode(f.bool("ceil_mode")).countIncludePad(f.bool("count_include_pad")));
        }));
    }

    @TestFactory
    Stream<DynamicTest> globalAvgPoolMatchesPyTorch() {
        return Fixture.family("global_avgpool2d").stream().map(f -> dynamicTest(f.name(), () -> {
            assertEquals("1", f.get("output_size"), f + ": global pooling is AdaptiveAvgPool2d(1)");
            Golden.checkLayer(f, new GlobalAvgPool2d());
        }));
    }
}
