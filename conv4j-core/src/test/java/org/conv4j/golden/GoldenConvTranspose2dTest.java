package org.conv4j.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.conv4j.nn.ConvTranspose2d;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** ConvTranspose2d against PyTorch's nn.ConvTranspose2d: output, dx, dweight, dbias on the fixture grid. */
class GoldenConvTranspose2dTest {

    static ConvTranspose2d convTranspose2d(Fixture f) {
        int[] k = f.ints("kernel"), s = f.ints("stride"), p = f.ints("padding"), op = f.ints("output_padding"), d = f.ints("dilation");
        return new ConvTranspose2d(f.integer("in_channels"), f.integer("out_channels"), k[0], k[1]).stride(s[0], s[1])
                .padding(p[0], p[1]).outputPadding(op[0], op[1]).dilation(d[0], d[1]).groups(f.integer("groups")).bias(f.bool("bias"));
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() {
        return Fixture.family("conv_transpose2d").stream().map(f -> dynamicTest(f.name(), () -> Golden.checkLayer(f, convTranspose2d(f))));
    }

    @Test
    void gridCoversTheRequiredConfigurations() {
        List<Fixture> all = Fixture.family("conv_transpose2d");
        Set<String> seen = new TreeSet<>();
        for (Fixture f : all) {
            int[] k = f.ints("kernel"), s = f.ints("stride"), p = f.ints("padding"), op = f.ints("output_padding"), d = f.ints("dilation");
            int g = f.integer("groups"), cin = f.integer("in_channels");
            seen.add("kernel " + Math.max(k[0], k[1]));
            if (k[0] != k[1]) seen.add("non-square kernel");
            seen.add("stride " + Math.max(s[0], s[1]));
            if (p[0] + p[1] > 0) seen.add("padding");
            if (op[0] + op[1] > 0) seen.add("output_padding");
            if (op[0] >= s[0] || op[1] >= s[1]) seen.add("output_padding >= stride, < dilation");
            seen.add("dilation " + Math.max(d[0], d[1]));
            if (g > 1) seen.add(g == cin ? "depthwise" : "groups");
            seen.add("bias " + f.bool("bias"));
            seen.add("batch " + f.tensor("x").dim(0));
            if (f.tensor("x").dim(2) % 2 == 1 || f.tensor("x").dim(3) % 2 == 1) seen.add("odd size");
        }
        for (String need : List.of("kernel 1", "kernel 2", "kernel 3", "kernel 4", "kernel 5", "non-square kernel", "stride 1", "stride 2",
                "stride 3", "padding", "output_padding", "output_padding >= stride, < dilation", "dilation 2", "dilation 3", "groups",
                "depthwise", "bias true", "bias false", "batch 1", "batch 3", "odd size")) {
            assertTrue(seen.contains(need), "no conv_transpose2d fixture with " + need + "; seen " + seen);
        }
        assertEquals(19, all.size(), "conv_transpose2d fixtures in the index");
    }
}
