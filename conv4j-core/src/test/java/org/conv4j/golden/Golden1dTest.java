package org.conv4j.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.Locale;
import java.util.stream.Stream;
import org.conv4j.kernel.PaddingMode;
import org.conv4j.nn.AvgPool1d;
import org.conv4j.nn.Conv1d;
import org.conv4j.nn.MaxPool1d;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Conv1d, MaxPool1d and AvgPool1d against PyTorch's on (N, C, L): output, dx and the parameter gradients. */
class Golden1dTest {

    static Conv1d conv1d(Fixture f) {
        Conv1d c = new Conv1d(f.integer("in_channels"), f.integer("out_channels"), f.integer("kernel")).stride(f.integer("stride"))
                .dilation(f.integer("dilation")).groups(f.integer("groups")).bias(f.bool("bias"))
                .paddingMode(PaddingMode.valueOf(f.get("padding_mode").toUpperCase(Locale.ROOT)));
        String p = f.get("padding");
        return p.equals("same") || p.equals("valid") ? c.padding(p) : c.padding(Integer.parseInt(p));
    }

    @TestFactory
    Stream<DynamicTest> conv1dMatchesPyTorch() {
        return Fixture.family("conv1d").stream().map(f -> dynamicTest(f.name(), () -> Golden.checkLayer(f, conv1d(f))));
    }

    @TestFactory
    Stream<DynamicTest> maxPool1dMatchesPyTorch() {
        return Fixture.family("maxpool1d").stream().map(f -> dynamicTest(f.name(), () -> Golden.checkLayer(f,
                new MaxPool1d(f.integer("kernel")).stride(f.integer("stride")).padding(f.integer("padding"))
                        .dilation(f.integer("dilation")).ceilMode(f.bool("ceil_mode")))));
    }

    @TestFactory
    Stream<DynamicTest> avgPool1dMatchesPyTorch() {
        return Fixture.family("avgpool1d").stream().map(f -> dynamicTest(f.name(), () -> Golden.checkLayer(f,
                new AvgPool1d(f.integer("kernel")).stride(f.integer("stride")).padding(f.integer("padding"))
                        .ceilMode(f.bool("ceil_mode")).countIncludePad(f.bool("count_include_pad")))));
    }

    @Test
    void gridSizes() {
        assertEquals(13, Fixture.family("conv1d").size(), "conv1d fixtures");
        assertEquals(6, Fixture.family("maxpool1d").size(), "maxpool1d fixtures");
        assertEquals(6, Fixture.family("avgpool1d").size(), "avgpool1d fixtures");
    }
}
