package org.conv4j.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.conv4j.nn.Upsample;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Upsample against PyTorch's nn.Upsample: nearest and bilinear (align_corners both ways), by size and by scale factor. */
class GoldenUpsampleTest {

    static Upsample upsample(Fixture f) {
        Upsample u;
        if (!f.get("size").equals("none")) {
            int[] size = f.ints("size");
            u = new Upsample(size[0], size[1]);
        } else {
            String[] s = f.get("scale_factor").split(",");
            u = new Upsample(1).scaleFactor(Double.parseDouble(s[0]), Double.parseDouble(s[1]));
        }
        return u.mode(f.get("interpolation")).alignCorners(f.bool("align_corners"));
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() {
        return Fixture.family("upsample").stream().map(f -> dynamicTest(f.name(), () -> Golden.checkLayer(f, upsample(f))));
    }

    @Test
    void gridCoversTheRequiredConfigurations() {
        List<Fixture> all = Fixture.family("upsample");
        Set<String> seen = new TreeSet<>();
        for (Fixture f : all) {
            String kind = f.get("interpolation") + (f.bool("align_corners") ? " align_corners" : "");
            seen.add(kind + (f.get("size").equals("none") ? " scale_factor" : " size"));
            int[] in = f.tensor("x").shape().dims(), out = f.tensor("y").shape().dims();
            if (out[2] < in[2]) seen.add(kind + " down");
            if (f.get("scale_factor").contains(".5")) seen.add(kind + " fractional");
            if (in[0] == 1) seen.add("batch 1");
        }
        for (String need : List.of("nearest size", "nearest scale_factor", "nearest down", "nearest fractional", "bilinear size",
                "bilinear scale_factor", "bilinear down", "bilinear fractional", "bilinear align_corners size",
                "bilinear align_corners scale_factor", "bilinear align_corners down", "batch 1")) {
            assertTrue(seen.contains(need), "no upsample fixture with " + need + "; seen " + seen);
        }
        assertEquals(21, all.size(), "upsample fixtures in the index");
    }
}
