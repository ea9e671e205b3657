package org.conv4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.conv4j.nn.Parameter;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LrScheduleTest {
    private static final double EPS = 1e-12;

    @Test
    void stepDecayDividesEveryStepSize() {
        LrSchedule s = LrSchedule.step(30, 0.1);
        assertEquals(0.1, s.learningRate(0.1, 0), EPS);
        assertEquals(0.1, s.learningRate(0.1, 29), EPS);
        assertEquals(0.01, s.learningRate(0.1, 30), EPS);
        assertEquals(0.001, s.learningRate(0.1, 65), EPS);
    }

    @Test
    void multiStepCountsPassedMilestones() {
        LrSchedule s = LrSchedule.multiStep(0.5, 10, 20);
        assertEquals(1.0, s.learningRate(1, 9), EPS);
        assertEquals(0.5, s.learningRate(1, 10), EPS);
        assertEquals(0.5, s.learningRate(1, 19), EPS);
        assertEquals(0.25, s.learningRate(1, 25), EPS);
    }

    @Test
    void exponentialAndConstant() {
        assertEquals(0.729, LrSchedule.exponential(0.9).learningRate(1, 3), EPS);
        assertEquals(0.3, LrSchedule.constant().learningRate(0.3, 1000), EPS);
    }

    @Test
    void cosineAnnealsToTheMinimumAndStaysThere() {
        LrSchedule s = LrSchedule.cosine(10, 0.001);
        assertEquals(0.1, s.learningRate(0.1, 0), EPS);
        // (1 + cos(pi/2)) / 2 = 1/2: halfway between base and minimum
        assertEquals(0.0505, s.learningRate(0.1, 5), EPS);
        // (1 + cos(pi/5)) / 2 at t = 2
        assertEquals(0.001 + 0.099 * (1 + Math.cos(Math.PI / 5)) / 2, s.learningRate(0.1, 2), EPS);
        assertEquals(0.001, s.learningRate(0.1, 10), EPS);
        assertEquals(0.001, s.learningRate(0.1, 15), EPS);
    }

    @Test
    void linearWarmupThenCosine() {
        LrSchedule s = LrSchedule.linearWarmup(5, 0.2, LrSchedule.cosine(10, 0));
        // warm-up factor 0.2 + 0.8 t / 5
        assertEquals(0.2, s.learningRate(1, 0), EPS);
        assertEquals(0.36, s.learningRate(1, 1), EPS);
        assertEquals(0.84, s.learningRate(1, 4), EPS);
        // the cosine starts its own count at the milestone
        assertEquals(1.0, s.learningRate(1, 5), EPS);
        assertEquals(0.5, s.learningRate(1, 10), EPS);
        assertEquals(0.0, s.learningRate(1, 15), EPS);
        assertEquals(0.0, s.learningRate(1, 40), EPS);
        assertEquals("linear(0.2, 1.0, 5).then(5, cosine(10, 0.0))", s.toString());
    }

    @Test
    void chainsSeveralPhases() {
        LrSchedule s = LrSchedule.constant().then(3, LrSchedule.step(2, 0.5)).then(7, LrSchedule.exponential(0.1));
        assertEquals(2.0, s.learningRate(2, 2), EPS);
        assertEquals(2.0, s.learningRate(2, 4), EPS);
        assertEquals(1.0, s.learningRate(2, 5), EPS);
        assertEquals(1.0, s.learningRate(2, 6), EPS);
        assertEquals(2.0, s.learningRate(2, 7), EPS);
        assertEquals(0.02, s.learningRate(2, 9), EPS);
    }

    @Test
    void appliesToAnOptimizer() {
        SGD sgd = new SGD(Map.of("w", Parameter.trainable("weight", Tensor.zeros(1))), 0.1);
        LrSchedule s = LrSchedule.step(2, 0.1);
        s.apply(sgd, 0.1, 3);
        assertEquals(0.01, sgd.learningRate(), EPS);
        // a user's own schedule is a lambda
        LrSchedule inverse = (base, t) -> base / (1 + t);
        inverse.apply(sgd, 0.1, 4);
        assertEquals(0.02, sgd.learningRate(), EPS);
    }

    @Test
    void rejectsBadArguments() {
        assertEquals("LrSchedule.step: stepSize must be > 0, got 0",
                assertThrows(IllegalArgumentException.class, () -> LrSchedule.step(0, 0.1)).getMessage());
        assertEquals("LrSchedule.exponential: gamma must be finite and > 0, got -0.5",
                assertThrows(IllegalArgumentException.class, () -> LrSchedule.exponential(-0.5)).getMessage());
        assertEquals("LrSchedule.multiStep: milestones must be increasing and >= 0, got [5, 5]",
                assertThrows(IllegalArgumentException.class, () -> LrSchedule.multiStep(0.1, 5, 5)).getMessage());
        assertEquals("LrSchedule.cosine: tMax must be > 0, got 0",
                assertThrows(IllegalArgumentException.class, () -> LrSchedule.cosine(0, 0)).getMessage());
        assertEquals("LrSchedule.linear: startFactor must be in (0, 1], got 0.0",
                assertThrows(IllegalArgumentException.class, () -> LrSchedule.linearWarmup(5, 0, LrSchedule.constant())).getMessage());
        assertEquals("LrSchedule.learningRate: t must be >= 0, got -1 (exponential(0.5))",
                assertThrows(IllegalArgumentException.class, () -> LrSchedule.exponential(0.5).learningRate(1, -1)).getMessage());
    }
}
