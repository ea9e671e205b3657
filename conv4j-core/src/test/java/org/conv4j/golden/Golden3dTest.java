package org.conv4j.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.stream.Stream;
import org.conv4j.nn.AvgPool3d;
import org.conv4j.nn.BatchNorm3d;
import org.conv4j.nn.Conv3d;
import org.conv4j.nn.MaxPool3d;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Conv3d, MaxPool3d, AvgPool3d and BatchNorm3d against PyTorch's on (N, C, D, H, W). */
class Golden3dTest {

    @TestFactory
    Stream<DynamicTest> conv3dMatchesPyTorch() {
        return Fixture.family("conv3d").stream().map(f -> dynamicTest(f.name(), () -> {
            int[] k = f.ints("kernel"), s = f.ints("stride"), p = f.ints("padding"), d = f.ints("dilation");
            Golden.checkLayer(f, new Conv3d(f.integer("in_channels"), f.integer("out_channels"), k[0], k[1], k[2])
                    .stride(s[0], s[1], s[2]).padding(p[0], p[1], p[2]).dilation(d[0], d[1], d[2])
                    .groups(f.integer("groups")).bias(f.bool("bias")));
        }));
    }

    @TestFactory
    Stream<DynamicTest> maxPool3dMatchesPyTorch() {
        return Fixture.family("maxpool3d").stream().map(f -> dynamicTest(f.name(), () -> {
            int[] k = f.ints("kernel"), s = f.ints("stride"), p = f.ints("padding"), d = f.ints("dilation");
            Golden.checkLayer(f, new MaxPool3d(k[0], k[1], k[2]).stride(s[0], s[1], s[2]).padding(p[0], p[1], p[2])
                    .dilation(d[0], d[1], d[2]).ceilMode(f.bool("ceil_mode")));
        }));
    }

    @TestFactory
    Stream<DynamicTest> avgPool3dMatchesPyTorch() {
        return Fixture.family("avgpool3d").stream().map(f -> dynamicTest(f.name(), () -> {
            int[] k = f.ints("kernel"), s = f.ints("stride"), p = f.ints("padding");
            Golden.checkLayer(f, new AvgPool3d(k[0], k[1], k[2]).stride(s[0], s[1], s[2]).padding(p[0], p[1], p[2])
                    .ceilMode(f.bool("ceil_mode")).countIncludePad(f.bool("count_include_pad")));
        }));
    }

    @TestFactory
    Stream<DynamicTest> batchNorm3dMatchesPyTorch() {
        return Fixture.family("batchnorm3d").stream().map(f -> dynamicTest(f.name(), () -> Golden.checkLayer(f,
                new BatchNorm3d(f.integer("num_features")).eps(f.number("eps")).momentum(f.number("momentum")))));
    }

    @Test
    void gridSizes() {
        assertEquals(9, Fixture.family("conv3d").size(), "conv3d fixtures");
        assertEquals(6, Fixture.family("maxpool3d").size(), "maxpool3d fixtures");
        assertEquals(6, Fixture.family("avgpool3d").size(), "avgpool3d fixtures");
        assertEquals(3, Fixture.family("batchnorm3d").size(), "batchnorm3d fixtures");
    }
}
