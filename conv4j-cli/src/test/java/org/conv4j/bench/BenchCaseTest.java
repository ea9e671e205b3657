package org.conv4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Parameter;
import org.conv4j.zoo.Zoo;
import org.junit.jupiter.api.Test;

/** The cases as the issue defines them, and their FLOP accounting. */
class BenchCaseTest {

    // 2 * multiply-adds of a conv with OC outputs over an OH x OW map, each C*KH*KW products
    private static long conv(int oc, int ohw, int k) {
        return 2L * oc * ohw * k;
    }

    // BatchNorm: one multiply-add per element
    private static long bn(int c, int hw) {
        return 2L * c * hw;
    }

    @Test
    void theStandardCases() {
        List<BenchCase> all = BenchCase.of("all");
        assertEquals(7, all.size());
        StringBuilder ids = new StringBuilder();
        for (BenchCase c : all) ids.append(c.model()).append('/').append(c.mode()).append('/').append(c.batch()).append(' ');
        assertEquals("lenet5/train/64 lenet5/infer/64 lenet5/infer/1 vgg-small/train/64 vgg-small/infer/64 "
                + "resnet20/train/64 resnet20/infer/64 ", ids.toString());
        assertEquals(List.of(1, 28, 28), List.of(all.get(0).channels(), all.get(0).height(), all.get(0).width()));
        assertEquals(List.of(3, 32, 32), List.of(all.get(3).channels(), all.get(3).height(), all.get(3).width()));
        assertEquals(BenchCase.of("vgg-small"), BenchCase.of("VGG_small"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchCase.of("alexnet")).getMessage()
                .contains("unknown case 'alexnet'; known: lenet5, vgg-small, resnet20, all"));
    }

    @Test
    void aModeSelectsItsCasesInRunOrder() {
        StringBuilder ids = new StringBuilder();
        for (BenchCase c : BenchCase.of("all", "infer")) ids.append(c.model()).append('/').append(c.mode()).append('/').append(c.batch()).append(' ');
        assertEquals("lenet5/infer/64 lenet5/infer/1 vgg-small/infer/64 resnet20/infer/64 ", ids.toString());
        assertEquals(List.of(BenchCase.of("resnet20").get(0)), BenchCase.of("resnet20", "TRAIN"));
        assertEquals(BenchCase.of("lenet5"), BenchCase.of("lenet5", "all"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BenchCase.of("lenet5", "eval")).getMessage()
                .contains("unknown mode 'eval'; known: train, infer, all"));
    }

    @Test
    void leNet5ForwardFlopsAndTheTrainingRule() {
        long forward = conv(6, 28 * 28, 25) + conv(16, 10 * 10, 150) + 2L * 400 * 120 + 2L * 120 * 84 + 2L * 84 * 10;
        assertEquals(833_040, forward);
        BenchCase train = BenchCase.of("lenet5").get(0), infer = BenchCase.of("lenet5").get(1);
        assertEquals(forward, infer.forwardFlopsPerImage());
        assertEquals(forward, infer.flopsPerImage());
        assertEquals(3 * forward, train.flopsPerImage()); // forward + dx + dW products
        assertEquals(30, BenchCase.flopsFor(10, true));
        assertEquals(10, BenchCase.flopsFor(10, false));
    }

    @Test
    void vggSmallIsTheIssuesNetwork() {
        // [conv3x3 32 pad 1, BN, ReLU] x2, maxpool, [conv3x3 64 pad 1, BN, ReLU] x2, maxpool, FC 256, ReLU, FC 10
        Layer net = Zoo.build("vgg_small", 3, 32, 32, 10);
        Map<String, Parameter> p = Layers.namedParameters(net);
        assertEquals(List.of(32, 3, 3, 3), dims(p, "features.0.weight"));
        assertEquals(List.of(32, 32, 3, 3), dims(p, "features.3.weight"));
        assertEquals(List.of(64, 32, 3, 3), dims(p, "features.7.weight"));
        assertEquals(List.of(64, 64, 3, 3), dims(p, "features.10.weight"));
        assertEquals(List.of(256, 64 * 8 * 8), dims(p, "classifier.0.weight"));
        assertEquals(List.of(10, 256), dims(p, "classifier.2.weight"));
        long forward = conv(32, 1024, 27) + conv(32, 1024, 288) + conv(64, 256, 288) + conv(64, 256, 576)
                + 2 * bn(32, 1024) + 2 * bn(64, 256) + 2L * 4096 * 256 + 2L * 256 * 10;
        assertEquals(51_254_272, forward);
        assertEquals(forward, BenchCase.of("vgg-small").get(1).forwardFlopsPerImage());
    }

    @Test
    void resNet20IsTheCifarFormWithTwoProjectionShortcuts() {
        Layer net = Zoo.build("resnet20", 3, 32, 32, 10);
        Map<String, Parameter> p = Layers.namedParameters(net);
        long downsamples = p.keySet().stream().filter(k -> k.contains("downsample.0.weight")).count();
        assertEquals(2, downsamples);
        assertEquals(List.of(32, 16, 1, 1), dims(p, "layer2.0.downsample.0.weight"));
        assertEquals(List.of(64, 32, 1, 1), dims(p, "layer3.0.downsample.0.weight"));
        assertNull(p.get("conv1.bias"), "bias-free convolutions");
        assertEquals(272_474, Layers.parameterCount(net));
        long forward = conv(16, 1024, 27) + bn(16, 1024)
                + 6 * (conv(16, 1024, 144) + bn(16, 1024))
                + conv(32, 256, 144) + conv(32, 256, 16) + 5 * conv(32, 256, 288) + 7 * bn(32, 256)
                + conv(64, 64, 288) + conv(64, 64, 32) + 5 * conv(64, 64, 576) + 7 * bn(64, 64)
                + 2L * 64 * 10;
        assertEquals(forward, BenchCase.of("resnet20").get(0).forwardFlopsPerImage());
        assertEquals(3 * forward, BenchCase.of("resnet20").get(0).flopsPerImage());
    }

    @Test
    void gemmShapesAreTheLayersShapes() {
        assertEquals(2.0 * 1024 * 1024 * 1024, GemmShape.PEAK.flops());
        GemmShape fc = GemmShape.CASE_SHAPES.get(2);
        assertEquals("lenet5-fc1", fc.name());
        assertEquals(400, fc.lda());
        assertEquals(400, fc.ldb()); // W is (out, in): B = W^T stored n x k
        GemmShape conv2 = GemmShape.CASE_SHAPES.get(1);
        assertEquals(150, conv2.lda());
        assertEquals(100, conv2.ldb());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new GemmShape("x", false, false, 0, 1, 1)).getMessage()
                .contains("sizes must be >= 1, got m=0"));
    }

    private static List<Integer> dims(Map<String, Parameter> p, String name) {
        Parameter q = p.get(name);
        assertTrue(q != null, "no parameter " + name + " in " + p.keySet());
        List<Integer> d = new java.util.ArrayList<>();
        for (int v : q.value().shape().dims()) d.add(v);
        return d;
    }
}
