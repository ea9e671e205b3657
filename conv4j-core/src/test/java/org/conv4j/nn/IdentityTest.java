package org.conv4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.conv4j.check.GradientCheck;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.conv4j.testing.Assertions2;
import org.junit.jupiter.api.Test;

class IdentityTest {

    @Test
    void passesValuesAndGradientsThrough() {
        Identity id = new Identity();
        Tensor x = Assertions2.random(new SplittableRandom(1), 2, 3, 4, 5);
        assertSame(x, id.forward(x, Mode.TRAIN));
        Tensor dy = Assertions2.random(new SplittableRandom(2), 2, 3, 4, 5);
        assertSame(dy, id.backward(dy));
        assertEquals(Shape.of(7, 1), id.outputShape(Shape.of(7, 1)));
        assertEquals("Identity()", id.toString());
    }

    /** SPEC 2, example 8: with the identity and E = sum(output), every input gradient is exactly 1. */
    @Test
    void spec2Example8SumOfOutputGivesOnes() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int trial = 0; trial < 10; trial++) {
            Tensor x = Assertions2.random(rng, LeakyReLUTest.randomDims(rng));
            Identity id = new Identity();
            GradientCheck.Report r = new GradientCheck().sumOfOutput(true).check(id, x);
            assertTrue(r.passed(1e-3), r.toString());
            id.forward(x, Mode.TRAIN);
            Tensor ones = Tensor.zeros(x.shape());
            ones.fill(1f);
            Assertions2.assertSameBits(ones, id.backward(ones));
        }
    }

    @Test
    void backwardChecksItsInput() {
        assertThrows(IllegalStateException.class, () -> new Identity().backward(Tensor.zeros(1)));
        Identity id = new Identity();
        id.forward(Tensor.zeros(2, 2), Mode.TRAIN);
        var e = assertThrows(IllegalArgumentException.class, () -> id.backward(Tensor.zeros(4)));
        assertTrue(e.getMessage().startsWith("Identity: gradient shape [4]"), e.getMessage());
    }
}
