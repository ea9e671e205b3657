package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class MSELossTest {

    @Test
    void meanOverAllElementsAndItsGradient() {
        MSELoss loss = new MSELoss();
        Tensor y = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), t = Tensor.of(new float[] {0, 2, 5, 4}, 2, 2);
        assertEquals(5f / 4, loss.forward(y, t), 0f);
        // 2 (y - t) / numel, numel = 4 (every element, not the batch of 2)
        assertClose(new float[] {0.5f, 0, -1, 0}, loss.backward(), 0);
        assertEquals(0f, loss.forward(t, t));
    }

    /** The analytic gradient against the central difference of the loss, on random shapes. */
    @Test
    void gradientMatchesCentralDifferences() {
        SplittableRandom rng = new SplittableRandom(91);
        for (int trial = 0; trial < 20; trial++) {
            int[] dims = LeakyReLUTest.randomDims(rng);
            Tensor y = random(rng, dims), t = random(rng, dims);
            MSELoss loss = new MSELoss();
            loss.forward(y, t);
            Tensor dy = loss.backward();
            double eps = 1e-2;
            for (int i = 0; i < y.size(); i++) {
                float saved = y.data()[i];
                y.data()[i] = (float) (saved + eps);
                double plus = loss.forward(y, t);
                y.data()[i] = (float) (saved - eps);
                double minus = loss.forward(y, t);
                y.data()[i] = saved;
                double numeric = (plus - minus) / (2 * eps);
                // the loss is quadratic, so the central difference is exact up to the float rounding of the
                // two losses (an ulp each) and of the perturbed inputs (relative 1e-5)
                double tol = 2 * Math.ulp((float) Math.max(plus, minus)) / (2 * eps) + 1e-5 * Math.abs(numeric);
                assertEquals(numeric, dy.at(i), tol, "element " + i + " of " + y.shape());
            }
        }
    }

    @Test
    void shapeMismatchFailsClearly() {
        MSELoss loss = new MSELoss();
        var e = assertThrows(IllegalArgumentException.class, () -> loss.forward(Tensor.zeros(4, 1), Tensor.zeros(4)));
        assertEquals("MSELoss: target shape [4] does not match the output shape [4, 1]", e.getMessage());
        var s = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(s.getMessage().startsWith("MSELoss:"), s.getMessage());
        assertEquals("MSELoss()", loss.toString());
    }
}
