package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class InitTest {

    /** Asserts the sample mean and standard deviation within 5 standard errors of the expected ones. */
    private static void assertMoments(Tensor t, double expectedStd) {
        int n = t.size();
        double sum = 0, sq = 0;
        for (int i = 0; i < n; i++) sum += t.at(i);
        double mean = sum / n;
        for (int i = 0; i < n; i++) sq += (t.at(i) - mean) * (t.at(i) - mean);
        double std = Math.sqrt(sq / (n - 1));
        // standard errors: of the mean std/sqrt(n), of the standard deviation about std/sqrt(2n) (normal; smaller for uniform)
        assertEquals(0, mean, 5 * expectedStd / Math.sqrt(n), "mean");
        assertEquals(expectedStd, std, 5 * expectedStd / Math.sqrt(2.0 * n), "std");
    }

    private static void assertWithin(Tensor t, double bound) {
        double max = 0;
        for (int i = 0; i < t.size(); i++) max = Math.max(max, Math.abs(t.at(i)));
        assertTrue(max <= bound, "max |x| " + max + " exceeds " + bound);
        // and the range is used: the extreme of 10^4+ uniform draws is within 0.1% of the bound
        assertTrue(max > bound * 0.999, "max |x| " + max + " far below " + bound);
    }

    @Test
    void fansFollowPyTorch() {
        assertEquals(8 * 3 * 3, Init.fanIn(Shape.of(16, 8, 3, 3)));
        assertEquals(16 * 3 * 3, Init.fanOut(Shape.of(16, 8, 3, 3)));
        assertEquals(20, Init.fanIn(Shape.of(10, 20)));
        assertEquals(10, Init.fanOut(Shape.of(10, 20)));
        assertEquals("Init: fan in and fan out need a weight of rank >= 2 (out, in, kernel...), got shape [5]",
                assertThrows(IllegalArgumentException.class, () -> Init.fanIn(Shape.of(5))).getMessage());
    }

    @Test
    void gainsFollowCalculateGain() {
        assertEquals(1.0, Init.gain("linear"));
        assertEquals(1.0, Init.gain("conv2d"));
        assertEquals(1.0, Init.gain("sigmoid"));
        assertEquals(5.0 / 3, Init.gain("tanh"));
        assertEquals(Math.sqrt(2), Init.gain("relu"));
        assertEquals(Math.sqrt(2 / (1 + 0.01 * 0.01)), Init.gain("leaky_relu"));
        assertEquals(Math.sqrt(2 / 1.04), Init.gain("leaky_relu", 0.2), 1e-15);
        assertEquals(Math.sqrt(2), Init.gain("leaky_relu", 0));
        assertEquals(0.75, Init.gain("selu"));
        assertEquals("Init: unsupported nonlinearity 'gelu' (expected linear, conv2d, sigmoid, tanh, relu, leaky_relu or selu)",
                assertThrows(IllegalArgumentException.class, () -> Init.gain("gelu")).getMessage());
    }

    @Test
    void kaimingNormalAndUniformStatistics() {
        SplittableRandom rng = new SplittableRandom(1);
        Tensor w = Tensor.zeros(128, 64, 3, 3);
        Init.kaimingNormal(w, 0, "fan_in", "relu", rng);
        assertMoments(w, Math.sqrt(2.0 / (64 * 9)));
        Init.kaimingNormal(w, 0, "fan_out", "relu", rng);
        assertMoments(w, Math.sqrt(2.0 / (128 * 9)));

        Init.kaimingUniform(w, 0, "fan_in", "relu", rng);
        double bound = Math.sqrt(6.0 / (64 * 9));
        assertWithin(w, bound);
        assertMoments(w, bound / Math.sqrt(3));
        // leaky_relu with slope a: gain sqrt(2 / (1 + a^2)); linear: gain 1
        Tensor fc = Tensor.zeros(300, 200);
        Init.kaimingUniform(fc, 0.5, "fan_in", "leaky_relu", rng);
        assertWithin(fc, Math.sqrt(2 / 1.25) * Math.sqrt(3.0 / 200));
        Init.kaimingNormal(fc, 0, "fan_out", "linear", rng);
        assertMoments(fc, Math.sqrt(1.0 / 300));
    }

    @Test
    void xavierAndLecunStatistics() {
        SplittableRandom rng = new SplittableRandom(2);
        Tensor w = Tensor.zeros(64, 32, 5, 5);
        int fanIn = 32 * 25, fanOut = 64 * 25;
        Init.xavierUniform(w, 1, rng);
        double bound = Math.sqrt(6.0 / (fanIn + fanOut));
        assertWithin(w, bound);
        assertMoments(w, bound / Math.sqrt(3));
        Init.xavierNormal(w, Init.gain("tanh"), rng);
        assertMoments(w, 5.0 / 3 * Math.sqrt(2.0 / (fanIn + fanOut)));
        Init.lecunUniform(w, rng);
        assertWithin(w, Math.sqrt(3.0 / fanIn));
        assertMoments(w, Math.sqrt(1.0 / fanIn));
        Init.lecunNormal(w, rng);
        assertMoments(w, Math.sqrt(1.0 / fanIn));
        Init.normal(w, 0, 0.02, rng);
        assertMoments(w, 0.02);
        Init.smallUniform(w, rng);
        assertWithin(w, 1e-4);
        Init.constant(w, 0.25f);
        assertEquals(0.25f, w.at(w.size() - 1));
    }

    /** A layer with a rank-1 "weight" and a "bias", like BatchNorm's gamma and beta, which schemes must skip. */
    private static final class Affine1d implements Layer {
        final Parameter weight = Parameter.trainable("weight", Tensor.of(new float[] {1f, 1f}, 2));
        final Parameter bias = Parameter.trainable("bias", Tensor.zeros(2));

        @Override
        public Tensor forward(Tensor x, Mode mode) {
            return x;
        }

        @Override
        public Tensor backward(Tensor dy) {
            return dy;
        }

        @Override
        public Shape outputShape(Shape input) {
            return input;
        }

        @Override
        public List<Parameter> parameters() {
            return List.of(weight, bias);
        }
    }

    private static Sequential model() {
        return new Sequential(new Conv2d(3, 32, 3), new ReLU(), new Flatten(), new Linear(32, 500), new Affine1d());
    }

    @Test
    void applyInitializesEveryWeightAndZeroesTheirBiases() {
        Sequential m = model();
        Init.apply(m, Init.Scheme.kaimingNormal(0, "fan_out", "relu"));
        Conv2d conv = (Conv2d) m.get(0);
        Linear fc = (Linear) m.get(3);
        assertMoments(fc.weight().value(), Math.sqrt(2.0 / 500));
        for (int i = 0; i < 32; i++) assertEquals(0f, conv.biasParameter().value().at(i));
        for (int i = 0; i < 500; i++) assertEquals(0f, fc.biasParameter().value().at(i));
        // rank-1 weights (BatchNorm's gamma) and their biases are left alone
        Affine1d affine = (Affine1d) m.get(4);
        assertSameBits(Tensor.of(new float[] {1f, 1f}, 2), affine.weight.value());

        Init.apply(m, Init.Scheme.smallUniform());
        assertWithin(fc.weight().value(), 1e-4);
        assertEquals(0f, fc.biasParameter().value().at(7));

        Init.apply(m, Init.Scheme.constant(0.5f, -1f));
        assertEquals(0.5f, conv.weight().value().at(5));
        assertEquals(-1f, conv.biasParameter().value().at(5));
        assertEquals(1f, affine.weight.value().at(0));
        assertEquals(0f, affine.bias.value().at(0));

        // back to PyTorch's default: biases U(-1/sqrt(fanIn), 1/sqrt(fanIn)) with the weight's fan-in
        Init.apply(m, Init.Scheme.pytorchDefault());
        assertWithin(fc.weight().value(), 1 / Math.sqrt(32));
        double max = 0;
        for (int i = 0; i < 500; i++) max = Math.max(max, Math.abs(fc.biasParameter().value().at(i)));
        assertTrue(max <= 1 / Math.sqrt(32) && max > 0.9 / Math.sqrt(32), "bias range " + max);
    }

    @Test
    void everySchemeIsDeterministicUnderSeed() {
        List<Init.Scheme> schemes = List.of(Init.Scheme.kaimingUniform(0, "fan_in", "relu"), Init.Scheme.kaimingNormal(0.1, "fan_in", "leaky_relu"),
                Init.Scheme.xavierUniform(1), Init.Scheme.xavierNormal(1), Init.Scheme.lecunUniform(), Init.Scheme.lecunNormal(),
                Init.Scheme.smallUniform(), Init.Scheme.pytorchDefault());
        for (Init.Scheme scheme : schemes) {
            Init.seed(7);
            Sequential a = model();
            Init.apply(a, scheme);
            Init.seed(7);
            Sequential b = model();
            Init.apply(b, scheme);
            for (var e : Layers.namedParameters(a).entrySet()) {
                assertSameBits(e.getValue().value(), Layers.namedParameters(b).get(e.getKey()).value());
            }
        }
        Init.seed(7);
        Sequential a = model();
        Init.apply(a, Init.Scheme.xavierNormal(1));
        Sequential c = model();
        Init.apply(c, Init.Scheme.xavierNormal(1));
        assertTrue(((Linear) a.get(3)).weight().value().at(0) != ((Linear) c.get(3)).weight().value().at(0), "later draws differ");
    }

    @Test
    void layerDefaultsStayPyTorchs() {
        Init.seed(3);
        Linear fc = new Linear(400, 300);
        assertWithin(fc.weight().value(), 1 / Math.sqrt(400));
        assertMoments(fc.weight().value(), 1 / Math.sqrt(400) / Math.sqrt(3));
        Conv2d conv = new Conv2d(16, 64, 5);
        assertWithin(conv.weight().value(), 1 / Math.sqrt(16 * 25));
    }

    @Test
    void schemesValidateTheirOptions() {
        assertEquals("Init: mode must be 'fan_in' or 'fan_out', got 'fan_avg'",
                assertThrows(IllegalArgumentException.class, () -> Init.Scheme.kaimingNormal(0, "fan_avg", "relu")).getMessage());
        assertEquals("Init: unsupported nonlinearity 'swish' (expected linear, conv2d, sigmoid, tanh, relu, leaky_relu or selu)",
                assertThrows(IllegalArgumentException.class, () -> Init.Scheme.kaimingUniform(0, "fan_in", "swish")).getMessage());
        assertEquals("Init: mode must be 'fan_in' or 'fan_out', got 'in'",
                assertThrows(IllegalArgumentException.class, () -> Init.kaimingUniform(Tensor.zeros(2, 2), 0, "in", "relu", new SplittableRandom(1))).getMessage());
        assertEquals("Init: gain must be finite and >= 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> Init.Scheme.xavierUniform(-1)).getMessage());
        assertEquals("Init: std must be finite and >= 0, got -0.1",
                assertThrows(IllegalArgumentException.class, () -> Init.normal(Tensor.zeros(2), 0, -0.1, new SplittableRandom(1))).getMessage());
    }
}
