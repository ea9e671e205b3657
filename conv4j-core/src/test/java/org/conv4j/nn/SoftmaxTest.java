package org.conv4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.conv4j.check.GradientCheck;
import org.conv4j.io.Architecture;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Softmax over a chosen dimension, like PyTorch's dim (the values themselves: GoldenActivationsTest). */
class SoftmaxTest {

    @Test
    void dimOneOfNchwIsADistributionOverTheChannelsOfEachPixel() {
        Tensor x = Tensor.uniform(new SplittableRandom(1), -4, 4, 2, 3, 4, 5);
        Tensor y = new Softmax(1).forward(x, Mode.EVAL);
        for (int n = 0; n < 2; n++) {
            for (int p = 0; p < 20; p++) {
                double sum = 0, max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < 3; c++) sum += Math.exp(x.get(n, c, p / 5, p % 5));
                for (int c = 0; c < 3; c++) {
                    assertEquals(Math.exp(x.get(n, c, p / 5, p % 5)) / sum, y.get(n, c, p / 5, p % 5), 1e-6);
                    max = Math.max(max, y.get(n, c, p / 5, p % 5));
                }
                assertTrue(max < 1);
            }
        }
    }

    @Test
    void aNegativeDimCountsFromTheEnd() {
        Tensor x = Tensor.uniform(new SplittableRandom(2), -4, 4, 2, 3, 4, 5);
        assertArrayEquals(new Softmax(1).forward(x, Mode.EVAL).toArray(), new Softmax(-3).forward(x, Mode.EVAL).toArray());
        Tensor last = new Softmax(-1).forward(x, Mode.EVAL);
        Tensor rows = new Softmax(1).forward(x.reshape(24, 5), Mode.EVAL);
        for (int i = 0; i < last.size(); i++) assertEquals(rows.at(i), last.at(i));
    }

    @Test
    void gradientCheckOverChannelsAndOtherDims() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int dim : new int[] {1, -1, 2, 0, -3}) {
            Tensor x = Tensor.uniform(rng, -3, 3, 2, 3, 2, 4);
            GradientCheck.Report r = new GradientCheck().seed(dim + 10).check(new Softmax(dim), x);
            assertTrue(r.passed(1e-2), "dim " + dim + "\n" + r);
        }
    }

    @Test
    void aDimOutsideTheInputIsRefusedNamingTheRange() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Softmax(4).forward(Tensor.zeros(2, 3, 4, 5), Mode.EVAL));
        assertEquals("Softmax: dim 4 is out of range for an input of shape [2, 3, 4, 5]: expected -4 to 3", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Softmax(-3).outputShape(Tensor.zeros(2, 3).shape()));
    }

    @Test
    void theModelFileKeepsTheDimAndOldFilesWithoutItMeanDimOne() {
        Layer saved = Architecture.fromJson(Architecture.toJson(new Softmax(-2)));
        assertEquals(-2, assertInstanceOf(Softmax.class, saved).dim());
        Layer old = Architecture.fromJson("{\"type\": \"Softmax\"}");
        assertEquals(1, assertInstanceOf(Softmax.class, old).dim());
        Tensor x = Tensor.uniform(new SplittableRandom(4), -2, 2, 3, 4);
        assertArrayEquals(Softmax.apply(x).toArray(), old.forward(x, Mode.EVAL).toArray());
    }
}
