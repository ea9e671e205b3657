package org.conv4j.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.conv4j.kernel.PaddingMode;
import org.conv4j.nn.Conv2d;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Conv2d against PyTorch's nn.Conv2d: output, dx, dweight, dbias on the fixture grid. */
class GoldenConv2dTest {

    /** The layer a conv2d fixture describes, built through the fluent API the way a user would. */
    static Conv2d conv2d(Fixture f) {
        int[] k = f.ints("kernel"), s = f.ints("stride"), d = f.ints("dilation"), p = f.ints("padding");
        Conv2d conv = new Conv2d(f.integer("in_channels"), f.integer("out_channels"), k[0], k[1])
                .stride(s[0], s[1]).dilation(d[0], d[1]).groups(f.integer("groups")).bias(f.bool("bias"))
                .paddingMode(PaddingMode.valueOf(f.get("padding_mode").toUpperCase(Locale.ROOT)));
        // exercise each padding overload PyTorch was given; "asym" is F.pad then padding 0 in PyTorch
        switch (f.get("padding_arg")) {
            case "same":
            case "valid":
                conv.padding(f.get("padding_arg"));
                break;
            case "int":
                conv.padding(p[0]);
                break;
            case "pair":
                conv.padding(p[0], p[2]);
                break;
            default:
                conv.padding(p[0], p[1], p[2], p[3]);
        }
        assertArrayEquals(p, conv.padding(), f + ": padding top, bottom, left, right");
        return conv;
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() {
        return Fixture.family("conv2d").stream().map(f -> dynamicTest(f.name(), () -> Golden.checkLayer(f, conv2d(f))));
    }

    @Test
    void gridCoversTheRequiredConfigurations() {
        List<Fixture> all = Fixture.family("conv2d");
        Set<String> seen = new TreeSet<>();
        for (Fixture f : all) {
            int[] k = f.ints("kernel"), s = f.ints("stride"), d = f.ints("dilation");
            int n = f.tensor("x").dim(0), cin = f.integer("in_channels"), g = f.integer("groups");
            seen.add("kernel " + Math.max(k[0], k[1]));
            if (k[0] != k[1]) seen.add("non-square kernel");
            seen.add("stride " + Math.max(s[0], s[1]));
            if (s[0] != s[1]) seen.add("stride per axis");
            seen.add("dilation " + Math.max(d[0], d[1]));
            seen.add("padding " + f.get("padding_arg"));
            seen.add("mode " + f.get("padding_mode"));
            seen.add("batch " + n);
            seen.add("bias " + f.bool("bias"));
            if (g > 1) seen.add(g == cin ? "depthwise" : "groups");
            if (f.tensor("x").dim(2) % 2 == 1) seen.add("odd size");
        }
        for (String need : List.of("kernel 1", "kernel 2", "kernel 3", "kernel 4", "kernel 5", "non-square kernel",
                "stride 1", "stride 2", "stride 3", "stride per axis", "dilation 1", "dilation 2", "dilation 3",
                "padding int", "padding pair", "padding asym", "padding same", "padding valid",
                "mode zeros", "mode reflect", "mode replicate", "mode circular", "batch 1", "batch 3",
                "bias true", "bias false", "depthwise", "groups", "odd size")) {
            assertTrue(seen.contains(need), "no conv2d fixture with " + need + "; seen " + seen);
        }
        assertEquals(46, all.size(), "conv2d fixtures in the index");
    }
}
