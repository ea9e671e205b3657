package org.conv4j.summary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.conv4j.nn.Add;
import org.conv4j.nn.BatchNorm2d;
import org.conv4j.nn.BatchNorm3d;
import org.conv4j.nn.Conv1d;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Conv3d;
import org.conv4j.nn.ConvTranspose2d;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.Graph;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Linear;
import org.conv4j.nn.MaxPool1d;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.MaxPool3d;
import org.conv4j.nn.Mode;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.nn.Upsample;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.conv4j.zoo.LeNet5;
import org.conv4j.zoo.ResNet;
import org.conv4j.zoo.VGG;
import org.junit.jupiter.api.Test;

class ModelSummaryTest {

    private static ModelSummary.Row row(ModelSummary s, String name) {
        for (ModelSummary.Row r : s.rows()) if (r.name().equals(name)) return r;
        throw new AssertionError("no row " + name + " in " + s.rows());
    }

    // 2 * multiply-adds of a conv: OC * OH * OW outputs, each (C/groups) * KH * KW products
    private static long conv(int oc, int oh, int ow, int c, int kh, int kw) {
        return 2L * oc * oh * ow * c * kh * kw;
    }

    @Test
    void spec2Example6OneThreeByThreeSeesThreeTwoSeeFive() {
        ModelSummary one = ModelSummary.of(new Conv2d(1, 1, 3), Shape.of(1, 1, 8, 8));
        assertArrayEquals(new int[] {3, 3}, one.receptiveField());
        ModelSummary two = ModelSummary.of(new Sequential(new Conv2d(1, 1, 3), new Conv2d(1, 1, 3)), Shape.of(1, 1, 8, 8));
        assertArrayEquals(new int[] {5, 5}, two.receptiveField());
        assertEquals(3, row(two, "0").receptiveH());
        assertEquals(5, row(two, "1").receptiveH());
        assertEquals(1, row(two, "1").jumpH());
    }

    @Test
    void transposedConvolutionUpsamplesShapesAndCountsAProductPerInputValue() {
        // conv 3x3 stride 2 (rf 3, jump 2), pool 2 (rf 5, jump 4), then ConvTranspose2d 4x4 stride 2: an output
        // pixel sees ceil(4/2) = 2 input pixels, rf 5 + 1*4 = 9, jump 4/2 = 2
        Sequential net = new Sequential(new Conv2d(1, 2, 3).stride(2).padding(1), new MaxPool2d(2),
                new ConvTranspose2d(2, 6, 4).stride(2).padding(1).groups(2));
        ModelSummary s = ModelSummary.of(net, Shape.of(1, 1, 16, 16));
        ModelSummary.Row up = row(s, "2");
        assertEquals(Shape.of(1, 6, 8, 8), up.output());
        assertEquals(2 * 3 * 4 * 4 + 6, up.parameters());
        assertEquals(2L * (2 * 4 * 4) * 3 * 4 * 4, up.flops());
        assertEquals(9, up.receptiveH());
        assertEquals(2, up.jumpW());
    }

    @Test
    void upsamplingKeepsOrWidensTheReceptiveFieldAndShrinksTheJump() {
        // conv 3x3 stride 4 (rf 3, jump 4); nearest x2: rf 3, jump 2; bilinear x2: rf 3 + 2, jump 1, 4 weights per output value
        Sequential net = new Sequential(new Conv2d(1, 1, 3).stride(4), new Upsample(2), new Upsample(2).mode("bilinear"));
        ModelSummary s = ModelSummary.of(net, Shape.of(1, 1, 17, 17));
        assertEquals(Shape.of(1, 1, 8, 8), row(s, "1").output());
        assertEquals(3, row(s, "1").receptiveH());
        assertEquals(2, row(s, "1").jumpH());
        assertEquals(0, row(s, "1").flops());
        assertEquals(Shape.of(1, 1, 16, 16), row(s, "2").output());
        assertEquals(5, row(s, "2").receptiveW());
        assertEquals(1, row(s, "2").jumpW());
        assertEquals(2L * 4 * 16 * 16, row(s, "2").flops());
        assertEquals(0, s.rows().get(2).parameters());
    }

    @Test
    void oneDimensionalLayersAreOneRowOfLength() {
        // conv k5 d2 (rf 9) stride 2, max pool 3 stride 2 (9 + 2*2 = 13, jump 4), conv k3 (13 + 2*4 = 21)
        Sequential net = new Sequential(new Conv1d(2, 4, 5).dilation(2).stride(2), new MaxPool1d(3).stride(2), new Conv1d(4, 3, 3).groups(1));
        ModelSummary s = ModelSummary.of(net, Shape.of(1, 2, 64));
        assertEquals(Shape.of(1, 4, 28), row(s, "0").output());
        assertEquals(Shape.of(1, 3, 11), s.output());
        assertArrayEquals(new int[] {1, 21}, s.receptiveField());
        assertEquals(4, row(s, "2").jumpW());
        assertEquals(2L * 4 * 28 * 2 * 5, row(s, "0").flops());
        assertEquals(4 * 2 * 5 + 4, row(s, "0").parameters());
        // the length is the only axis: no H column
        assertEquals("L", s.axisNames());
        assertArrayEquals(new int[] {21}, s.receptiveFieldAxes());
        assertArrayEquals(new int[] {4}, s.axes(row(s, "2").jump()));
        String table = s.format(1);
        assertTrue(table.startsWith(String.format("%-13s %-20s %12s %14s %12s %12s%n", "layer", "output shape", "parameters", "FLOPs", "RF L", "jump L")), table);
        assertTrue(table.contains(String.format("%12s %12s%n", "21", "4")), table);
    }

    @Test
    void volumesReportDepthHeightAndWidth() {
        // conv 3x3x3 pad 1 (rf 3), bn, max pool 1x2x2 (rf 4, jump 2), conv (1, 3, 3) (rf 4 + 2*2 = 8);
        // the depth: 3 after the first conv, and the pool and last conv are 1 deep, so 3 with jump 1
        Sequential net = new Sequential(new Conv3d(1, 4, 3).padding(1), new BatchNorm3d(4), new MaxPool3d(1, 2, 2), new Conv3d(4, 2, 1, 3, 3));
        ModelSummary s = ModelSummary.of(net, Shape.of(1, 1, 5, 8, 8));
        assertEquals(Shape.of(1, 4, 5, 8, 8), row(s, "0").output());
        assertEquals(Shape.of(1, 2, 5, 2, 2), s.output());
        assertEquals(2L * 4 * 5 * 8 * 8 * 27, row(s, "0").flops());
        assertEquals(4 * 27 + 4, row(s, "0").parameters());
        assertEquals(2L * 4 * 5 * 8 * 8, row(s, "1").flops());
        assertArrayEquals(new int[] {8, 8}, s.receptiveField());
        assertEquals(2, row(s, "3").jumpH());
        assertEquals("DxHxW", s.axisNames());
        assertArrayEquals(new int[] {3, 8, 8}, s.receptiveFieldAxes());
        assertArrayEquals(new int[] {3, 8, 8}, row(s, "3").receptiveField());
        assertArrayEquals(new int[] {1, 2, 2}, row(s, "3").jump());
        assertTrue(s.format(1).contains(String.format("%12s %12s%n", "3x8x8", "1x2x2")), s.format(1));
    }

    @Test
    void stridedDilatedAndPooledReceptiveFields() {
        // conv 3x3 stride 2: rf 3, jump 2; then conv 3x3: 3 + (3-1)*2 = 7, jump 2
        ModelSummary strided = ModelSummary.of(new Sequential(new Conv2d(1, 1, 3).stride(2), new Conv2d(1, 1, 3)), Shape.of(1, 1, 15, 15));
        assertArrayEquals(new int[] {7, 7}, strided.receptiveField());
        assertEquals(2, row(strided, "1").jumpW());
        // pool 2 (rf 2, jump 2), conv 3x3 (2 + 2*2 = 6), pool 2 (6 + 1*2 = 8, jump 4), conv 1x3 (8 x (8 + 2*4))
        ModelSummary pooled = ModelSummary.of(new Sequential(new MaxPool2d(2), new Conv2d(1, 1, 3), new MaxPool2d(2), new Conv2d(1, 1, 1, 3)),
                Shape.of(1, 1, 20, 20));
        assertEquals(6, row(pooled, "1").receptiveH());
        assertEquals(8, row(pooled, "2").receptiveH());
        assertEquals(4, row(pooled, "2").jumpH());
        assertArrayEquals(new int[] {8, 16}, pooled.receptiveField());
        // dilation 2 widens a 3x3 to 5x5; non-square strides keep separate jumps
        ModelSummary dilated = ModelSummary.of(new Sequential(new Conv2d(1, 1, 3).dilation(2).stride(1, 3), new Conv2d(1, 1, 3)),
                Shape.of(1, 1, 20, 20));
        assertEquals(5, row(dilated, "0").receptiveH());
        assertEquals(5 + 2 * 1, row(dilated, "1").receptiveH());
        assertEquals(5 + 2 * 3, row(dilated, "1").receptiveW());
    }

    @Test
    void spec2Example9ConvVersusFullyConnectedCost() {
        ModelSummary conv = ModelSummary.of(new Conv2d(1, 1, 3).padding(1).bias(false), Shape.of(1, 1, 5, 5));
        assertEquals(9, conv.parameters());
        assertEquals(2 * 3 * 3 * 5 * 5, conv.flops());
        assertEquals(450, conv.flops());
        ModelSummary fc = ModelSummary.of(new Linear(25, 25, false), Shape.of(1, 1, 5, 5));
        assertEquals(625, fc.parameters());
        assertEquals(1250, fc.flops());
        assertArrayEquals(new int[] {5, 5}, fc.receptiveField(), "a Linear layer sees the whole map");
    }

    @Test
    void leNet5FlopsParametersAndReceptiveFieldByHand() {
        Init.seed(5);
        ModelSummary s = ModelSummary.of(LeNet5.build(1, 28, 28, 10), Shape.of(1, 1, 28, 28));
        long c1 = conv(6, 28, 28, 1, 5, 5);   // 235,200
        long c2 = conv(16, 10, 10, 6, 5, 5);  // 480,000
        long fcs = 2L * (400 * 120 + 120 * 84 + 84 * 10);
        assertEquals(c1 + c2 + fcs, s.flops());
        assertEquals(833_040, s.flops());
        assertEquals(61_706, s.parameters());
        assertEquals(c1, row(s, "features.0").flops());
        assertEquals(156, row(s, "features.0").parameters());
        assertEquals(Shape.of(1, 16, 5, 5), row(s, "features.5").output());
        assertEquals("MaxPool2d", row(s, "features.5").type());
        // conv5 (5, jump 1), pool2 (6, jump 2), conv5 (6 + 4*2 = 14), pool2 (14 + 2 = 16, jump 4)
        assertEquals(5, row(s, "features.0").receptiveH());
        assertEquals(6, row(s, "features.2").receptiveH());
        assertEquals(14, row(s, "features.3").receptiveH());
        assertEquals(16, row(s, "features.5").receptiveH());
        assertEquals(4, row(s, "features.5").jumpH());
        // the first Linear sees the whole 5x5 map: 16 + (5-1)*4 = 32 (wider than 28: the padding counts)
        assertArrayEquals(new int[] {32, 32}, s.receptiveField());
        assertEquals(Shape.of(1, 10), s.output());
        // outputs per image: 6*28*28 twice (conv, relu), 6*14*14, 16*10*10 twice, 16*5*5 twice (pool, flatten), 120*2, 84*2, 10
        long floats = 2 * 6 * 28 * 28 + 6 * 14 * 14 + 2 * 16 * 10 * 10 + 2 * 16 * 5 * 5 + 2 * 120 + 2 * 84 + 10;
        assertEquals(4L * 8 * floats, s.activationBytes(8));
        String table = s.format(8);
        assertTrue(table.contains("parameters: 61,706"), table);
        assertTrue(table.contains("FLOPs per image: 833,040"), table);
        assertTrue(table.contains("features.3 (Conv2d)"), table);
    }

    @Test
    void vggSmallFlopsByHand() {
        Init.seed(6);
        ModelSummary s = ModelSummary.of(VGG.small(1, 28, 28, 10), Shape.of(1, 1, 28, 28));
        long convs = conv(32, 28, 28, 1, 3, 3) + conv(32, 28, 28, 32, 3, 3) + conv(64, 14, 14, 32, 3, 3) + conv(64, 14, 14, 64, 3, 3);
        long bns = 2L * (2 * 32 * 28 * 28 + 2 * 64 * 14 * 14); // one multiply-add per element
        long fcs = 2L * (64 * 7 * 7 * 256 + 256 * 10);
        assertEquals(convs + bns + fcs, s.flops());
        assertEquals(38_339_584, s.flops());
        assertEquals(conv(64, 14, 14, 64, 3, 3), row(s, "features.10").flops());
        // four 3x3 convs and two 2x2 pools: 3, 5, (pool) 6, 10, 14, (pool) 16 with jump 4
        assertEquals(16, row(s, "features.13").receptiveH());
        assertEquals(4, row(s, "features.13").jumpH());
        assertEquals(16 + 6 * 4, s.receptiveField()[0]);
    }

    @Test
    void resNet20FlopsByHandThroughGraphBlocks() {
        Init.seed(7);
        ModelSummary s = ModelSummary.of(ResNet.cifar(20, 3, 32, 32, 10), Shape.of(1, 3, 32, 32));
        long convs = conv(16, 32, 32, 3, 3, 3)
                + 6 * conv(16, 32, 32, 16, 3, 3)
                + conv(32, 16, 16, 16, 3, 3) + 5 * conv(32, 16, 16, 32, 3, 3) + conv(32, 16, 16, 16, 1, 1)
                + conv(64, 8, 8, 32, 3, 3) + 5 * conv(64, 8, 8, 64, 3, 3) + conv(64, 8, 8, 32, 1, 1);
        long bns = 2L * (7 * 16 * 32 * 32 + 7 * 32 * 16 * 16 + 7 * 64 * 8 * 8); // every conv is followed by a BN
        long fc = 2L * 64 * 10;
        assertEquals(convs + bns + fc, s.flops());
        // 40.8M multiply-adds, the count usually published for ResNet-20 on CIFAR (the two 1x1 projections are 0.26M of it)
        assertEquals(40_812_544, convs / 2);
        assertEquals(272_474, s.parameters());
        assertEquals("Add", row(s, "layer1.0.add").type());
        assertEquals(Shape.of(1, 32, 16, 16), row(s, "layer2.0.downsample.1").output());
        // block 1: the residual path (two 3x3 after the stem's 3x3) sees 7, the identity 3: the max is kept
        assertEquals(7, row(s, "layer1.0.add").receptiveH());
        assertEquals(1, row(s, "layer1.0.add").jumpH());
    }

    @Test
    void resNet18AtImageNetSizeIsAbout1point8GigaMultiplyAdds() {
        Init.seed(18);
        ModelSummary s = ModelSummary.of(ResNet.imagenet(18, 3, 224, 224, 1000), Shape.of(1, 3, 224, 224));
        long macs = 0;
        for (ModelSummary.Row r : s.rows()) if (r.type().equals("Conv2d") || r.type().equals("Linear")) macs += r.flops() / 2;
        // the usual published count (torchvision, fvcore): 1.814 GMACs, i.e. about 3.6 GFLOPs
        assertEquals(1_814_073_344L, macs);
        assertTrue(s.flops() > 3.6e9 && s.flops() < 3.7e9, "FLOPs " + s.flops());
        assertEquals(11_689_512, s.parameters());
        assertEquals(Shape.of(1, 512, 7, 7), row(s, "layer4.1.relu").output());
    }

    /** A container that is neither Sequential nor Graph: one row with all its parameters. */
    private static final class Wrapper implements Layer {
        private final Conv2d inner = new Conv2d(2, 3, 3);

        @Override
        public Tensor forward(Tensor x, Mode mode) {
            return inner.forward(x, mode);
        }

        @Override
        public Tensor backward(Tensor dy) {
            return inner.backward(dy);
        }

        @Override
        public Shape outputShape(Shape input) {
            return inner.outputShape(input);
        }

        @Override
        public Map<String, Layer> children() {
            return Map.of("inner", inner);
        }
    }

    @Test
    void otherContainersCountTheirChildrensParameters() {
        ModelSummary s = ModelSummary.of(new Sequential(new Wrapper(), new ReLU()), Shape.of(1, 2, 6, 6));
        assertEquals(2 * 3 * 9 + 3, row(s, "0").parameters());
        assertEquals(s.parameters(), row(s, "0").parameters());
    }

    @Test
    void emptyModelAndBadInput() {
        ModelSummary empty = ModelSummary.of(new Sequential(), Shape.of(2, 3, 4, 4));
        assertArrayEquals(new int[] {1, 1}, empty.receptiveField());
        assertEquals(0, empty.flops());
        assertEquals(Shape.of(2, 3, 4, 4), empty.output());
        assertTrue(empty.rows().isEmpty());
        Init.seed(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelSummary.of(LeNet5.build(1, 28, 28, 10), Shape.of(1, 1, 20, 20)));
        assertTrue(e.getMessage().contains("Linear"), e.getMessage());
    }

    @Test
    void graphMergeTakesTheLargestReceptiveField() {
        Graph g = new Graph()
                .add("a", new Conv2d(1, 2, 3).padding(1), Graph.INPUT)
                .add("b", new Conv2d(2, 2, 3).padding(1), "a")
                .add("bn", new BatchNorm2d(2), "b")
                .add("c", new Conv2d(1, 2, 1), Graph.INPUT)
                .add("sum", new Add(), "bn", "c")
                .output("sum");
        ModelSummary s = ModelSummary.of(new Sequential().add("block", g).add("flatten", new Flatten()), Shape.of(1, 1, 6, 6));
        assertEquals(List.of("block.a", "block.b", "block.bn", "block.c", "block.sum", "flatten"),
                s.rows().stream().map(ModelSummary.Row::name).toList());
        assertEquals(5, row(s, "block.sum").receptiveH());
        assertEquals(1, row(s, "block.c").receptiveH());
        assertEquals(conv(2, 6, 6, 1, 3, 3) + conv(2, 6, 6, 2, 3, 3) + 2L * 2 * 36 + conv(2, 6, 6, 1, 1, 1), s.flops());
        assertEquals(Layers.parameterCount(g), s.parameters());
    }
}
