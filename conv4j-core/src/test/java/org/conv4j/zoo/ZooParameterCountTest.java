package org.conv4j.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Map;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Parameter;
import org.conv4j.tensor.Shape;
import org.junit.jupiter.api.Test;

/**
 * The ImageNet forms at 3x224x224 with 1000 classes have torchvision's parameter counts
 * ({@code sum(p.numel() for p in model.parameters())}) and names. Each model is built, checked and
 * dropped before the next (VGG-19 alone is 0.57 GB of weights and as much of gradients).
 */
class ZooParameterCountTest {

    private static Layer imagenet(String name) {
        Init.seed(224);
        return Zoo.build(name, 3, 224, 224, 1000);
    }

    /** Asserts that each name exists with the shape given after it: "features.0.weight", Shape.of(64, 3, 11, 11), ... */
    private static void assertNames(Layer model, Object... nameThenShape) {
        Map<String, Parameter> params = Layers.namedParameters(model);
        for (int i = 0; i < nameThenShape.length; i += 2) {
            Parameter p = params.get((String) nameThenShape[i]);
            assertNotNull(p, nameThenShape[i] + " missing; some names: " + params.keySet().stream().limit(12).toList());
            assertEquals(nameThenShape[i + 1], p.value().shape(), (String) nameThenShape[i]);
        }
    }

    @Test
    void resNets() {
        Layer r18 = imagenet("resnet18");
        assertEquals(11_689_512, Layers.parameterCount(r18));
        assertNames(r18, "conv1.weight", Shape.of(64, 3, 7, 7), "bn1.running_mean", Shape.of(64),
                "layer1.0.conv1.weight", Shape.of(64, 64, 3, 3), "layer1.1.bn2.bias", Shape.of(64),
                "layer2.0.downsample.0.weight", Shape.of(128, 64, 1, 1), "layer2.0.downsample.1.running_var", Shape.of(128),
                "layer4.1.conv2.weight", Shape.of(512, 512, 3, 3), "fc.weight", Shape.of(1000, 512), "fc.bias", Shape.of(1000));
        Map<String, Parameter> names = Layers.namedParameters(r18);
        assertFalse(names.containsKey("conv1.bias"), "ResNet convs have no bias");
        assertFalse(names.containsKey("layer1.0.downsample.0.weight"), "layer1 keeps 64 channels: identity shortcut");
        // torchvision's state_dict has 122 entries, 20 of them BatchNorm's num_batches_tracked, which conv4j does not keep
        assertEquals(102, names.size());
        r18 = null;
        assertEquals(21_797_672, Layers.parameterCount(imagenet("resnet34")));
        Layer r50 = imagenet("resnet50");
        assertEquals(25_557_032, Layers.parameterCount(r50));
        assertNames(r50, "layer1.0.conv1.weight", Shape.of(64, 64, 1, 1), "layer1.0.conv3.weight", Shape.of(256, 64, 1, 1),
                "layer1.0.downsample.0.weight", Shape.of(256, 64, 1, 1), "layer2.0.conv2.weight", Shape.of(128, 128, 3, 3),
                "layer4.2.bn3.weight", Shape.of(2048), "fc.weight", Shape.of(1000, 2048));
    }

    @Test
    void vggs() {
        Layer v11 = imagenet("vgg11");
        assertEquals(132_863_336, Layers.parameterCount(v11));
        assertNames(v11, "features.0.weight", Shape.of(64, 3, 3, 3), "features.3.weight", Shape.of(128, 64, 3, 3),
                "features.18.bias", Shape.of(512), "classifier.0.weight", Shape.of(4096, 25088),
                "classifier.3.weight", Shape.of(4096, 4096), "classifier.6.weight", Shape.of(1000, 4096));
        v11 = null;
        Layer v16 = imagenet("vgg16");
        assertEquals(138_357_544, Layers.parameterCount(v16));
        assertNames(v16, "features.0.weight", Shape.of(64, 3, 3, 3), "features.2.weight", Shape.of(64, 64, 3, 3),
                "features.28.weight", Shape.of(512, 512, 3, 3), "classifier.0.weight", Shape.of(4096, 25088),
                "classifier.6.bias", Shape.of(1000));
        assertEquals(32, Layers.namedParameters(v16).size());
        v16 = null;
        Layer v16bn = imagenet("vgg16_bn");
        assertEquals(138_365_992, Layers.parameterCount(v16bn));
        assertNames(v16bn, "features.0.weight", Shape.of(64, 3, 3, 3), "features.1.weight", Shape.of(64),
                "features.1.running_mean", Shape.of(64), "features.40.weight", Shape.of(512, 512, 3, 3),
                "features.41.running_var", Shape.of(512), "classifier.0.weight", Shape.of(4096, 25088));
        v16bn = null;
        assertEquals(143_667_240, Layers.parameterCount(imagenet("vgg19")));
    }

    @Test
    void alexNetZfNetLeNet() {
        Layer alex = imagenet("alexnet");
        assertEquals(61_100_840, Layers.parameterCount(alex));
        assertNames(alex, "features.0.weight", Shape.of(64, 3, 11, 11), "features.3.weight", Shape.of(192, 64, 5, 5),
                "features.6.weight", Shape.of(384, 192, 3, 3), "features.8.weight", Shape.of(256, 384, 3, 3),
                "features.10.bias", Shape.of(256), "classifier.1.weight", Shape.of(4096, 9216),
                "classifier.4.weight", Shape.of(4096, 4096), "classifier.6.weight", Shape.of(1000, 4096));
        assertEquals(16, Layers.namedParameters(alex).size());
        alex = null;
        // ZF Net: convs 14,208 + 614,656 + 885,120 + 1,327,488 + 884,992, FC 37,752,832 + 16,781,312 + 4,097,000
        Layer zf = imagenet("zfnet");
        assertEquals(62_357_608, Layers.parameterCount(zf));
        assertNames(zf, "features.0.weight", Shape.of(96, 3, 7, 7), "features.3.weight", Shape.of(256, 96, 5, 5),
                "classifier.1.weight", Shape.of(4096, 256 * 6 * 6));
        zf = null;
        Layer lenet = Zoo.build("lenet5", 1, 28, 28, 10);
        assertEquals(61_706, Layers.parameterCount(lenet));
        assertNames(lenet, "features.0.weight", Shape.of(6, 1, 5, 5), "features.3.weight", Shape.of(16, 6, 5, 5),
                "classifier.0.weight", Shape.of(120, 400), "classifier.2.weight", Shape.of(84, 120),
                "classifier.4.weight", Shape.of(10, 84), "classifier.4.bias", Shape.of(10));
    }

    @Test
    void googLeNet() {
        Layer g = imagenet("googlenet");
        assertEquals(6_624_904, Layers.parameterCount(g));
        assertNames(g, "conv1.conv.weight", Shape.of(64, 3, 7, 7), "conv1.bn.running_var", Shape.of(64),
                "conv3.conv.weight", Shape.of(192, 64, 3, 3), "inception3a.branch1.conv.weight", Shape.of(64, 192, 1, 1),
                "inception3a.branch2.0.conv.weight", Shape.of(96, 192, 1, 1), "inception3a.branch2.1.conv.weight", Shape.of(128, 96, 3, 3),
                "inception3a.branch3.1.conv.weight", Shape.of(32, 16, 3, 3), "inception3a.branch4.1.conv.weight", Shape.of(32, 192, 1, 1),
                "inception5b.branch4.1.bn.bias", Shape.of(128), "fc.weight", Shape.of(1000, 1024));
        assertFalse(Layers.namedParameters(g).containsKey("conv1.conv.bias"), "BasicConv2d has no bias");
        g = null;
        // with the auxiliary heads: 13,004,888 as torchvision's googlenet(aux_logits=True)
        Init.seed(224);
        Layer aux = GoogLeNet.build(3, 224, 224, 1000, true);
        assertEquals(13_004_888, Layers.parameterCount(aux));
        assertNames(aux, "aux1.conv.conv.weight", Shape.of(128, 512, 1, 1), "aux1.fc1.weight", Shape.of(1024, 2048),
                "aux2.conv.conv.weight", Shape.of(128, 528, 1, 1), "aux2.fc2.weight", Shape.of(1000, 1024));
        assertEquals(Shape.of(1, 3000), aux.outputShape(Shape.of(1, 3, 224, 224)));
    }

    @Test
    void cifarResNetsWithProjectionShortcuts() {
        // option B adds (16*32 + 2*32) + (32*64 + 2*64) = 2,752 to the paper's option-A counts
        int projections = (16 * 32 + 2 * 32) + (32 * 64 + 2 * 64);
        assertEquals(2_752, projections);
        Layer r20 = Zoo.build("resnet20", 3, 32, 32, 10);
        assertEquals(272_474, Layers.parameterCount(r20));
        assertEquals(269_722 + projections, Layers.parameterCount(r20));
        assertEquals(464_154 + projections, Layers.parameterCount(Zoo.build("resnet32", 3, 32, 32, 10)));
        assertEquals(853_018 + projections, Layers.parameterCount(Zoo.build("resnet56", 3, 32, 32, 10)));
        assertNames(r20, "conv1.weight", Shape.of(16, 3, 3, 3), "layer1.2.conv2.weight", Shape.of(16, 16, 3, 3),
                "layer2.0.conv1.weight", Shape.of(32, 16, 3, 3), "layer2.0.downsample.0.weight", Shape.of(32, 16, 1, 1),
                "layer3.0.downsample.1.weight", Shape.of(64), "fc.weight", Shape.of(10, 64));
        // vgg_small: 28x28 gives a 64x7x7 map, 32x32 a 64x8x8 one
        assertNames(Zoo.build("vgg_small", 1, 28, 28, 10), "features.0.weight", Shape.of(32, 1, 3, 3), "features.1.running_mean",
                Shape.of(32), "features.10.weight", Shape.of(64, 64, 3, 3), "classifier.0.weight", Shape.of(256, 3136),
                "classifier.2.weight", Shape.of(10, 256));
        // convs 896 + 9,248 + 18,496 + 36,928, BatchNorms 2*(32 + 32 + 64 + 64), FC 4096*256 + 256 and 256*10 + 10
        assertEquals(896 + 9_248 + 18_496 + 36_928 + 2 * (32 + 32 + 64 + 64) + 1_048_832 + 2_570,
                Layers.parameterCount(Zoo.build("vgg_small", 3, 32, 32, 10)));
        assertEquals(1_117_354, Layers.parameterCount(Zoo.build("vgg_small", 3, 32, 32, 10)));
    }
}
