package org.conv4j.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.conv4j.nn.ConvTranspose2d;
import org.conv4j.nn.Graph;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Mode;
import org.conv4j.summary.ModelSummary;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The segmentation networks of the zoo: per-pixel scores at the input's size, their parameters, summaries and initialisation. */
class SegmentationNetsTest {

    @Test
    void bothScoreEveryPixelAndAreSummarised() {
        Init.seed(1);
        for (String name : new String[] {"unet_small", "fcn8s_small"}) {
            Layer net = Zoo.build(name, 1, 64, 64, 11);
            assertEquals(Shape.of(2, 11, 64, 64), net.outputShape(Shape.of(2, 1, 64, 64)), name);
            Tensor y = net.forward(Tensor.uniform(new SplittableRandom(2), 0, 1, 2, 1, 64, 64), Mode.EVAL);
            assertEquals(Shape.of(2, 11, 64, 64), y.shape());
            ModelSummary s = ModelSummary.of(net, Shape.of(1, 1, 64, 64));
            assertEquals(Layers.parameterCount(net), s.parameters(), name);
            assertTrue(s.flops() > 0, name);
            assertTrue(s.rows().stream().anyMatch(r -> r.type().startsWith("ConvTranspose2d")), name + " upsamples with ConvTranspose2d");
        }
        assertEquals(121_123, Layers.parameterCount(Zoo.build("unet_small", 1, 48, 48, 11)));
        assertEquals(225_457, Layers.parameterCount(Zoo.build("fcn8s_small", 1, 64, 64, 11)));
    }

    @Test
    void sizesThatDoNotHalveEvenlyAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> Zoo.build("unet_small", 1, 44, 48, 11));
        assertEquals("unet: input 1x44x48 does not fit: its height and width must be multiples of 8 (2^3 levels of 2x2 pooling)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Zoo.build("fcn8s_small", 1, 48, 48, 11));
        assertEquals("fcn8s_small: input 1x48x48 does not fit: its height and width must be multiples of 32 (five 2x2 pools)", e.getMessage());
    }

    @Test
    void fcnStartsFromBilinearUpsamplingOfItsCoarseScores() {
        // a stride-2 bilinear ConvTranspose2d maps a constant map to the same constant away from the border
        ConvTranspose2d up = FCN.bilinear(3, 4, 2, 1);
        Tensor x = Tensor.zeros(1, 3, 4, 4);
        for (int c = 0; c < 3; c++) for (int i = 0; i < 16; i++) x.data()[c * 16 + i] = c + 1;
        Tensor y = up.forward(x, Mode.EVAL);
        assertEquals(Shape.of(1, 3, 8, 8), y.shape());
        for (int c = 0; c < 3; c++) for (int i = 1; i < 7; i++) for (int j = 1; j < 7; j++) assertEquals(c + 1, y.get(0, c, i, j), 1e-6, "c=" + c + " " + i + "," + j);
        // a ramp is interpolated linearly: each output pixel is the mean of its two nearest inputs, weighted 3/4 and 1/4
        Tensor ramp = Tensor.zeros(1, 1, 1, 4);
        for (int j = 0; j < 4; j++) ramp.data()[j] = j;
        Tensor r = FCN.bilinear(1, 4, 2, 1).forward(ramp, Mode.EVAL);
        assertEquals(0.25f, r.get(0, 0, 0, 1) / 0.75f, 1e-6); // vertical weight 3/4 on a one-row map
        // at the start the skip scorers are zero, so the output is the upsampled coarse score
        Graph fcn = FCN.small(1, 64, 64, 4);
        for (String skip : new String[] {"score_pool3", "score_pool4"}) {
            Layers.namedParameters(fcn.node(skip).layer()).values().forEach(p -> {
                for (float v : p.value().toArray()) assertEquals(0f, v, skip);
            });
        }
    }
}
