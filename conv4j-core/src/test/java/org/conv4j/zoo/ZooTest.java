package org.conv4j.zoo;

import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.conv4j.kernel.Parallel;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Linear;
import org.conv4j.nn.Mode;
import org.conv4j.nn.Sequential;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ZooTest {

    private static IllegalArgumentException fails(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run);
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), "'" + p + "' not in: " + message);
    }

    @Test
    void namesFollowTorchvision() {
        assertEquals(List.of("lenet5", "alexnet", "zfnet", "vgg11", "vgg13", "vgg16", "vgg19",
                "vgg11_bn", "vgg13_bn", "vgg16_bn", "vgg19_bn", "googlenet", "resnet18", "resnet34", "resnet50",
                "resnet20", "resnet32", "resnet56", "vgg_small", "unet_small", "fcn8s_small"), Zoo.names());
        assertThrows(UnsupportedOperationException.class, () -> Zoo.names().add("x"));
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        IllegalArgumentException e = fails(() -> Zoo.build("resnet19", 3, 32, 32, 10));
        assertContains(e.getMessage(), "Zoo: unknown model 'resnet19'", "known models: lenet5, alexnet, zfnet, vgg11", "vgg_small");
        assertContains(fails(() -> Zoo.minimumSize(null)).getMessage(), "unknown model 'null'");
    }

    @Test
    void namesIgnoreCaseAndDashes() {
        Init.seed(3);
        Layer a = Zoo.build("VGG-Small", 1, 28, 28, 10);
        assertEquals(Shape.of(2, 10), a.outputShape(Shape.of(2, 1, 28, 28)));
        assertEquals(4, Zoo.minimumSize("vgg-small"));
    }

    @Test
    void minimumSizesAreExactAndTooSmallInputsNameTheLayer() {
        // cheap to build at any size: the first Linear follows the (tiny) feature map, the 4096-wide ones are skipped
        // for the ImageNet nets by checking only the sizes just around the minimum
        Object[][] cases = {
            // name, channels, minimum, the path in the message just below the minimum
            {"lenet5", 1, 12, "features.5 (MaxPool2d"},
            {"alexnet", 3, 63, "features.12 (MaxPool2d"},
            {"zfnet", 3, 47, "features.12 (MaxPool2d"},
            {"vgg11", 3, 32, "features.20 (MaxPool2d"},
            {"vgg16_bn", 3, 32, "features.43 (MaxPool2d"},
            {"vgg_small", 3, 4, "features.13 (MaxPool2d"},
            {"googlenet", 3, 15, "maxpool3 (MaxPool2d"},
        };
        for (Object[] c : cases) {
            String name = (String) c[0];
            int ch = (int) c[1], min = (int) c[2];
            assertEquals(min, Zoo.minimumSize(name), name);
            Layer ok = Zoo.build(name, ch, min, min + 3, 7);
            assertEquals(Shape.of(1, 7), ok.outputShape(Shape.of(1, ch, min, min + 3)), name);
            IllegalArgumentException e = fails(() -> Zoo.build(name, ch, min + 3, min - 1, 7));
            assertContains(e.getMessage(), name + ": input " + ch + "x" + (min + 3) + "x" + (min - 1) + " is too small",
                    "the minimum input is " + min + "x" + min, "it breaks at layer " + c[3]);
        }
        for (String name : List.of("resnet18", "resnet50", "resnet20")) {
            assertEquals(1, Zoo.minimumSize(name));
            assertEquals(Shape.of(2, 5), Zoo.build(name, 2, 1, 1, 5).outputShape(Shape.of(2, 2, 1, 1)), name);
        }
    }

    @Test
    void googLeNetAuxiliaryHeadsPoolAnyMapTo4x4AsTorchvision() {
        Init.seed(4);
        // at the 15x15 minimum inception4a's map is 1x1; adaptive pooling still gives the heads 4x4
        Layer aux = GoogLeNet.build(3, GoogLeNet.MIN_SIZE, GoogLeNet.MIN_SIZE, 6, true);
        assertEquals(Shape.of(2, 18), aux.outputShape(Shape.of(2, 3, 15, 15)));
        assertEquals(Shape.of(2, 18), aux.outputShape(Shape.of(2, 3, 78, 100)));
        assertEquals(Shape.of(1024, 2048), Layers.namedParameters(aux).get("aux1.fc1.weight").value().shape());
        IllegalArgumentException e = fails(() -> GoogLeNet.build(3, 14, 100, 6, true));
        assertContains(e.getMessage(), "googlenet (aux): input 3x14x100 is too small", "15x15");
        assertEquals(Shape.of(1, 6), GoogLeNet.build(3, 32, 32, 6, false).outputShape(Shape.of(1, 3, 32, 32)));
    }

    @Test
    void alexNetAndVggPoolTheirFeaturesAdaptivelyAsTorchvision() {
        Init.seed(6);
        // the same parameters at any input size: the classifier always sees 256x6x6 (AlexNet) or 512x7x7 (VGG)
        Layer alex = Zoo.build("alexnet", 3, 63, 63, 1000);
        assertEquals(61_100_840, Layers.parameterCount(alex), "torchvision's count, built at the 63x63 minimum");
        for (int size : new int[] {63, 100, 224}) assertEquals(Shape.of(2, 1000), alex.outputShape(Shape.of(2, 3, size + 17, size)));
        Sequential vgg = (Sequential) Zoo.build("vgg11_bn", 3, 32, 32, 10);
        assertEquals("AdaptiveAvgPool2d(output_size=7)", vgg.children().get("avgpool").toString());
        assertEquals(List.of("features", "avgpool", "flatten", "classifier"), vgg.names());
        assertEquals(Shape.of(1, 10), vgg.outputShape(Shape.of(1, 3, 45, 61)));
    }

    @Test
    void badArgumentsAreRejectedWithTheirValues() {
        assertContains(fails(() -> Zoo.build("lenet5", 0, 28, 28, 10)).getMessage(), "lenet5", "channels=0");
        assertContains(fails(() -> Zoo.build("resnet18", 3, 32, 32, 0)).getMessage(), "resnet18", "classes=0");
        assertContains(fails(() -> VGG.build(12, false, 3, 32, 32, 10)).getMessage(), "VGG: depth must be 11, 13, 16 or 19, got 12");
        assertContains(fails(() -> ResNet.imagenet(101, 3, 32, 32, 10)).getMessage(), "18, 34 or 50, got 101");
        assertContains(fails(() -> ResNet.cifar(21, 3, 32, 32, 10)).getMessage(), "6n + 2", "got 21");
    }

    @Test
    void sizedHeadsTakeTheirBuildSizeOnly() {
        Init.seed(5);
        Sequential lenet = LeNet5.build(1, 32, 32, 10);
        assertEquals(16 * 6 * 6, ((Linear) ((Sequential) lenet.children().get("classifier")).get(0)).inFeatures());
        IllegalArgumentException e = fails(() -> lenet.forward(Tensor.zeros(1, 1, 28, 28), Mode.EVAL));
        assertContains(e.getMessage(), "Linear", "576");
        // the pooled nets take any size at or above the minimum
        Layer r = Zoo.build("resnet20", 3, 32, 32, 10);
        assertEquals(Shape.of(1, 10), r.outputShape(Shape.of(1, 3, 45, 17)));
    }

    @Test
    void oneAndTwoThreadsGiveTheSameBits() {
        Init.seed(8);
        Layer g = Zoo.build("googlenet", 3, 32, 32, 6);
        Tensor x = random(new SplittableRandom(8), 2, 3, 32, 32);
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            Tensor one = g.forward(x, Mode.EVAL);
            Parallel.setThreads(2);
            assertSameBits(one, g.forward(x, Mode.EVAL));
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void sameSeedSameWeights() {
        Init.seed(42);
        Layer a = Zoo.build("resnet20", 3, 8, 8, 10);
        Init.seed(42);
        Layer b = Zoo.build("resnet20", 3, 8, 8, 10);
        var pa = Layers.namedParameters(a);
        var pb = Layers.namedParameters(b);
        assertEquals(pa.keySet(), pb.keySet());
        for (String k : pa.keySet()) {
            assertSameBits(pa.get(k).value(), pb.get(k).value());
        }
        // kaiming normal, fan_out, relu: std sqrt(2 / (64 * 3 * 3)) for layer3's 3x3 convs
        Tensor w = pa.get("layer3.1.conv1.weight").value();
        double sq = 0;
        for (int i = 0; i < w.size(); i++) sq += w.at(i) * (double) w.at(i);
        double std = Math.sqrt(sq / w.size());
        assertTrue(Math.abs(std - Math.sqrt(2.0 / (64 * 9))) < 0.05 * Math.sqrt(2.0 / (64 * 9)), "std " + std);
    }
}
