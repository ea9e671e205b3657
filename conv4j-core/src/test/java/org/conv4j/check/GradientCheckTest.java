package org.conv4j.check;

import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Linear;
import org.conv4j.nn.Mode;
import org.conv4j.nn.Parameter;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The check must be strong enough to catch an off-by-one in a backward kernel. */
class GradientCheckTest {

    /** A convolution whose backward is broken on purpose: one gradient is written one place off. */
    private static final class OffByOne implements Layer {
        private final Conv2d conv;
        private final boolean breakInput;

        OffByOne(Conv2d conv, boolean breakInput) {
            this.conv = conv;
            this.breakInput = breakInput;
        }

        @Override
        public Tensor forward(Tensor x, Mode mode) {
            return conv.forward(x, mode);
        }

        @Override
        public Tensor backward(Tensor dy) {
            Tensor dx = conv.backward(dy);
            shiftByOne(breakInput ? dx : conv.weight().grad());
            return dx;
        }

        // what an off-by-one loop bound does: every value lands one index later
        private static void shiftByOne(Tensor t) {
            float[] d = t.data();
            for (int i = t.offset() + t.size() - 1; i > t.offset(); i--) d[i] = d[i - 1];
            d[t.offset()] = 0f;
        }

        @Override
        public Shape outputShape(Shape input) {
            return conv.outputShape(input);
        }

        @Override
        public List<Parameter> parameters() {
            return conv.parameters();
        }
    }

    @Test
    void passesOnACorrectLayerAndFailsOnAnOffByOneBackward() {
        Tensor x = random(new SplittableRandom(1), 2, 3, 6, 6);
        Init.seed(1);
        GradientCheck.Report good = new GradientCheck().check(new Conv2d(3, 4, 3).stride(2).padding(1), x);
        assertTrue(good.passed(1e-2), good.toString());

        Init.seed(1);
        GradientCheck.Report badInput = new GradientCheck().check(new OffByOne(new Conv2d(3, 4, 3).stride(2).padding(1), true), x);
        assertTrue(badInput.errors().get("input") > 0.5, badInput.toString());
        assertFalse(badInput.passed(1e-2));

        Init.seed(1);
        GradientCheck.Report badWeight = new GradientCheck().check(new OffByOne(new Conv2d(3, 4, 3).stride(2).padding(1), false), x);
        assertTrue(badWeight.errors().get("weight") > 0.5, badWeight.toString());
        assertTrue(badWeight.errors().get("input") < 1e-2, badWeight.toString());
    }

    @Test
    void reportsEveryTrainableTensorByName() {
        Init.seed(2);
        GradientCheck.Report r = new GradientCheck().check(new Linear(5, 3), random(new SplittableRandom(2), 4, 5));
        assertTrue(r.errors().keySet().containsAll(List.of("input", "weight", "bias")), r.errors().toString());
        assertTrue(r.passed(1e-2), r.toString());
    }
}
