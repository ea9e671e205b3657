package org.conv4j.optim;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Linear;
import org.conv4j.nn.Parameter;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class OptimizerTest {
    private static final float[] P0 = {0.5f, -1.25f, 2.0f, 0.75f, -0.3f, 1.1f};
    private static final float[][] GRADS = {
        {0.1f, -0.2f, 0.3f, -0.4f, 0.5f, -0.6f},
        {0.25f, 0.05f, -0.15f, 0.35f, -0.45f, 0.55f},
        {-0.3f, 0.2f, 0.1f, 0.0f, 0.4f, -0.5f},
    };

    // Expected parameters after each of three steps from P0 with GRADS, generated with PyTorch 1.13
    // (float32, torch.set_num_threads(1)): p = torch.tensor(P0).reshape(2, 3); for each g:
    // p.grad = torch.tensor(g).reshape(2, 3); opt.step(); printed with '%.9g'. Optimizers per array.
    // SGD(lr=0.1)
    private static final float[][] SGD_PLAIN = {
        {0.49000001f, -1.23000002f, 1.97000003f, 0.790000021f, -0.350000024f, 1.16000009f},
        {0.465000004f, -1.23500001f, 1.98500001f, 0.754999995f, -0.305000037f, 1.10500014f},
        {0.495000005f, -1.255f, 1.97500002f, 0.754999995f, -0.345000029f, 1.15500009f},
    };
    // SGD(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)
    private static final float[][] SGD_MOMENTUM_DAMPENING_DECAY = {
        {0.489499986f, -1.22874999f, 1.96800005f, 0.789250016f, -0.349700004f, 1.15890002f},
        {0.457109421f, -1.21301913f, 1.95092881f, 0.792364717f, -0.353615284f, 1.16136706f},
        {0.454546541f, -1.21576965f, 1.92480886f, 0.794454813f, -0.392820776f, 1.20754218f},
    };
    // SGD(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)
    private static final float[][] SGD_NESTEROV_DECAY = {
        {0.480049998f, -1.20962501f, 1.93920004f, 0.824575007f, -0.394430012f, 1.21191001f},
        {0.423132896f, -1.19961417f, 1.93809557f, 0.788300812f, -0.348437607f, 1.15281641f},
        {0.451035619f, -1.22291386f, 1.90266442f, 0.786398411f, -0.423237383f, 1.24303257f},
    };
    // Adam(lr=0.01)
    private static final float[][] ADAM_DEFAULT = {
        {0.49000001f, -1.24000001f, 1.99000001f, 0.75999999f, -0.310000002f, 1.11000001f},
        {0.48060295f, -1.23530531f, 1.98733664f, 0.760140061f, -0.310000002f, 1.10990858f},
        {0.480507851f, -1.23715222f, 1.98353708f, 0.760248303f, -0.313266873f, 1.11319399f},
    };
    // Adam(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True)
    private static final float[][] ADAM_L2_AMSGRAD = {
        {0.49000001f, -1.24000001f, 1.99000001f, 0.75999999f, -0.310000002f, 1.11000001f},
        {0.480173767f, -1.23210931f, 1.98296237f, 0.757567525f, -0.308773369f, 1.10743332f},
        {0.478764921f, -1.22814071f, 1.97495532f, 0.754827023f, -0.311413586f, 1.10879147f},
    };
    // AdamW(lr=0.01, weight_decay=0.1)
    private static final float[][] ADAMW = {
        {0.489500016f, -1.23874998f, 1.98800004f, 0.759249985f, -0.309700012f, 1.10890007f},
        {0.479613453f, -1.23281658f, 1.98334873f, 0.758630812f, -0.309390306f, 1.10769975f},
        {0.479038745f, -1.23343074f, 1.97756588f, 0.757980406f, -0.3123478f, 1.10987747f},
    };
    // RMSprop(lr=0.01)
    private static final float[][] RMSPROP_DEFAULT = {
        {0.400000095f, -1.1500001f, 1.9000001f, 0.849999964f, -0.399999976f, 1.20000005f},
        {0.307088375f, -1.17436862f, 1.94490147f, 0.78396225f, -0.332917958f, 1.13224328f},
        {0.381698608f, -1.24434876f, 1.91609204f, 0.78396225f, -0.384322673f, 1.18488038f},
    };
    // RMSprop(lr=0.01, alpha=0.9, momentum=0.9, centered=True, weight_decay=0.01)
    private static final float[][] RMSPROP_CENTERED_MOMENTUM_DECAY = {
        {0.466666669f, -1.2166667f, 1.9666667f, 0.783333302f, -0.333333343f, 1.13333333f},
        {0.404475719f, -1.19266987f, 1.94928646f, 0.791421652f, -0.341415912f, 1.14091992f},
        {0.372286618f, -1.1930871f, 1.92202044f, 0.798190415f, -0.365965515f, 1.16521859f},
    };

    /** A one-parameter model "w" of shape (2, 3) starting at P0. */
    private static Map<String, Parameter> params() {
        Map<String, Parameter> m = new LinkedHashMap<>();
        m.put("w", Parameter.trainable("weight", Tensor.of(P0.clone(), 2, 3)));
        return m;
    }

    /** Runs the three fixed gradient steps and compares with PyTorch after each: within a few ulps, as PyTorch's CPU kernels fuse some multiply-adds. */
    private static void assertMatchesTorch(Function<Map<String, Parameter>, Optimizer> make, float[][] expected) {
        Map<String, Parameter> ps = params();
        Optimizer opt = make.apply(ps);
        Parameter p = ps.get("w");
        for (int s = 0; s < GRADS.length; s++) {
            p.grad().copyFrom(Tensor.of(GRADS[s].clone(), 2, 3));
            opt.step();
            assertClose(expected[s], p.value(), 1e-6);
        }
        assertEquals(3, opt.stepCount());
    }

    @Test
    void sgdMatchesTorch() {
        assertMatchesTorch(ps -> new SGD(ps, 0.1), SGD_PLAIN);
        assertMatchesTorch(ps -> new SGD(ps, 0.1).momentum(0.9).dampening(0.1).weightDecay(0.01), SGD_MOMENTUM_DAMPENING_DECAY);
        assertMatchesTorch(ps -> new SGD(ps, 0.1).momentum(0.9).nesterov(true).weightDecay(0.01), SGD_NESTEROV_DECAY);
    }

    @Test
    void adamAndAdamWMatchTorch() {
        assertMatchesTorch(ps -> new Adam(ps, 0.01), ADAM_DEFAULT);
        assertMatchesTorch(ps -> new Adam(ps, 0.01).betas(0.8, 0.99).weightDecay(0.1).amsgrad(true), ADAM_L2_AMSGRAD);
        assertMatchesTorch(ps -> new AdamW(ps, 0.01).weightDecay(0.1), ADAMW);
    }

    @Test
    void rmspropMatchesTorch() {
        assertMatchesTorch(ps -> new RMSprop(ps, 0.01), RMSPROP_DEFAULT);
        assertMatchesTorch(ps -> new RMSprop(ps, 0.01).alpha(0.9).momentum(0.9).centered(true).weightDecay(0.01),
                RMSPROP_CENTERED_MOMENTUM_DECAY);
    }

    /** One scalar parameter at 1 with gradient 1 on every step; values worked by hand below. */
    private static float[] scalarRun(Function<Map<String, Parameter>, Optimizer> make, int steps) {
        Parameter p = Parameter.trainable("weight", Tensor.of(new float[] {1f}, 1));
        Optimizer opt = make.apply(Map.of("p", p));
        float[] out = new float[steps];
        for (int s = 0; s < steps; s++) {
            p.grad().fill(1f);
            opt.step();
            out[s] = p.value().at(0);
        }
        return out;
    }

    @Test
    void sgdMomentumByHand() {
        // buf1 = g = 1, p = 1 - 0.1 = 0.9; buf2 = 0.9 + 1 = 1.9, p = 0.9 - 0.19 = 0.71;
        // buf3 = 1.71 + 1 = 2.71, p = 0.71 - 0.271 = 0.439
        float[] heavyBall = scalarRun(ps -> new SGD(ps, 0.1).momentum(0.9), 3);
        assertClose(new float[] {0.9f, 0.71f, 0.439f}, Tensor.of(heavyBall, 3), 1e-6);
        // nesterov: d1 = 1 + 0.9*1 = 1.9, p = 0.81; buf2 = 1.9, d2 = 1 + 1.71 = 2.71, p = 0.539
        float[] nesterov = scalarRun(ps -> new SGD(ps, 0.1).momentum(0.9).nesterov(true), 2);
        assertClose(new float[] {0.81f, 0.539f}, Tensor.of(nesterov, 2), 1e-6);
        // dampening 0.5: the first buffer is still g (not 0.5 g): buf1 = 1, p = 0.9; buf2 = 0.9 + 0.5 = 1.4, p = 0.76
        float[] damped = scalarRun(ps -> new SGD(ps, 0.1).momentum(0.9).dampening(0.5), 2);
        assertClose(new float[] {0.9f, 0.76f}, Tensor.of(damped, 2), 1e-6);
        // weight decay 0.5 adds 0.5 p to the gradient: d = 1 + 0.5 = 1.5, p = 1 - 0.15 = 0.85
        float[] decayed = scalarRun(ps -> new SGD(ps, 0.1).weightDecay(0.5), 1);
        assertClose(new float[] {0.85f}, Tensor.of(decayed, 1), 1e-7);
    }

    @Test
    void adamFirstStepMovesByLearningRate() {
        // m = 0.1 g, v = 0.001 g^2; with bias correction m^ = g, v^ = g^2: p -= lr * g / (|g| + eps)
        float[] p = scalarRun(ps -> new Adam(ps, 0.01), 1);
        assertClose(new float[] {0.99f}, Tensor.of(p, 1), 1e-7);
    }

    @Test
    void adamWDecouplesWeightDecay() {
        // zero gradient: AdamW only shrinks p by (1 - lr*wd); Adam's L2 term becomes the whole
        // gradient, so the normalized step moves p by lr towards zero regardless of wd
        Parameter a = Parameter.trainable("weight", Tensor.of(new float[] {2f, -4f}, 2));
        Parameter b = Parameter.trainable("weight", Tensor.of(new float[] {2f, -4f}, 2));
        new AdamW(Map.of("p", a), 0.1).weightDecay(0.5).step();
        new Adam(Map.of("p", b), 0.1).weightDecay(0.5).step();
        assertSameBits(Tensor.of(new float[] {2f * (float) (1 - 0.05), -4f * (float) (1 - 0.05)}, 2), a.value());
        assertClose(new float[] {1.9f, -3.9f}, b.value(), 1e-6);

        // with a gradient, AdamW is exactly Adam (no decay) run on the shrunk parameter
        float[] g = {0.3f, -0.7f, 0.2f};
        Parameter w = Parameter.trainable("weight", Tensor.of(new float[] {1f, 2f, -3f}, 3));
        Parameter shrunk = Parameter.trainable("weight", Tensor.of(new float[] {1f, 2f, -3f}, 3));
        AdamW adamW = new AdamW(Map.of("p", w), 0.01).weightDecay(0.2);
        Adam adam = new Adam(Map.of("p", shrunk), 0.01);
        for (int s = 0; s < 3; s++) {
            w.grad().copyFrom(Tensor.of(g.clone(), 3));
            shrunk.grad().copyFrom(Tensor.of(g.clone(), 3));
            for (int i = 0; i < 3; i++) shrunk.value().data()[i] *= (float) (1 - 0.01 * 0.2);
            adamW.step();
            adam.step();
            assertSameBits(shrunk.value(), w.value());
        }
    }

    /** f(p) = 0.5 * sum a_i (p_i - c_i)^2 with curvatures a spanning 1..10; gradient a (p - c). */
    private static double bowl(Function<Map<String, Parameter>, Optimizer> make, int steps) {
        float[] a = {1f, 2f, 5f, 10f}, c = {3f, -1f, 0.5f, 2f};
        Parameter p = Parameter.trainable("weight", Tensor.zeros(4));
        Optimizer opt = make.apply(Map.of("p", p));
        for (int s = 0; s < steps; s++) {
            opt.zeroGrad();
            for (int i = 0; i < 4; i++) p.grad().data()[i] = a[i] * (p.value().at(i) - c[i]);
            opt.step();
        }
        double dist = 0;
        for (int i = 0; i < 4; i++) dist = Math.max(dist, Math.abs(p.value().at(i) - c[i]));
        return dist;
    }

    @Test
    void everyOptimizerMinimizesAQuadraticBowl() {
        assertTrue(bowl(ps -> new SGD(ps, 0.05), 400) < 1e-4);
        assertTrue(bowl(ps -> new SGD(ps, 0.05).momentum(0.9), 400) < 1e-4);
        assertTrue(bowl(ps -> new SGD(ps, 0.05).momentum(0.9).nesterov(true), 400) < 1e-4);
        assertTrue(bowl(ps -> new Adam(ps, 0.05), 2000) < 1e-3);
        assertTrue(bowl(ps -> new AdamW(ps, 0.05).weightDecay(0), 2000) < 1e-3);
        assertTrue(bowl(ps -> new RMSprop(ps, 0.01), 2000) < 2e-2);
        assertTrue(bowl(ps -> new RMSprop(ps, 0.01).momentum(0.5).centered(true), 2000) < 2e-2);
    }

    @Test
    void builtFromAModelSkipsBuffersAndZeroesGradients() {
        Sequential model = new Sequential(new Conv2d(1, 2, 3), new ReLU(), new Flatten(), new Linear(2, 3));
        Map<String, Parameter> withBuffer = new LinkedHashMap<>(Layers.namedParameters(model));
        withBuffer.put("bn.running_mean", Parameter.buffer("running_mean", Tensor.zeros(2)));
        Optimizer opt = new Adam(withBuffer, 1e-3);
        assertEquals(List.of("0.weight", "0.bias", "3.weight", "3.bias"), List.copyOf(opt.parameters().keySet()));
        opt.parameters().values().forEach(p -> p.grad().fill(1f));
        opt.step();
        assertEquals(List.of("exp_avg.0.weight", "exp_avg.0.bias", "exp_avg.3.weight", "exp_avg.3.bias",
                "exp_avg_sq.0.weight", "exp_avg_sq.0.bias", "exp_avg_sq.3.weight", "exp_avg_sq.3.bias"),
                List.copyOf(opt.state().tensors().keySet()));
        opt.zeroGrad();
        for (Parameter p : opt.parameters().values()) for (int i = 0; i < p.grad().size(); i++) assertEquals(0f, p.grad().at(i));
    }

    private static Map<String, Parameter> twoParams() {
        Map<String, Parameter> m = new LinkedHashMap<>();
        m.put("features.0.weight", Parameter.trainable("weight", Tensor.of(new float[] {0.5f, -1f, 2f, 0.25f, 1.5f, -0.75f}, 2, 3)));
        m.put("features.0.bias", Parameter.trainable("bias", Tensor.of(new float[] {0.1f, -0.2f}, 2)));
        return m;
    }

    /** A gradient that depends on the parameter and the step, as in training. */
    private static void fillGradients(Map<String, Parameter> ps, int step) {
        for (Parameter p : ps.values()) {
            for (int i = 0; i < p.value().size(); i++) {
                p.grad().data()[i] = p.value().at(i) * (1 + 0.1f * i) - 0.3f * step + 0.05f * i * i;
            }
        }
    }

    private static void run(Optimizer opt, int from, int to) {
        for (int s = from; s < to; s++) {
            opt.zeroGrad();
            fillGradients(opt.parameters(), s);
            opt.step();
        }
    }

    private static void assertResumesBitIdentically(Function<Map<String, Parameter>, Optimizer> make, List<String> kinds) {
        Optimizer straight = make.apply(twoParams());
        run(straight, 0, 6);

        Optimizer first = make.apply(twoParams());
        run(first, 0, 3);
        first.setLearningRate(first.learningRate() * 0.5);
        OptimizerState saved = first.state();
        assertEquals(3.0, saved.scalars().get("step"));
        for (String kind : kinds) assertTrue(saved.tensors().containsKey(kind + ".features.0.weight"), kind + " in " + saved);
        assertEquals(kinds.size() * 2, saved.tensors().size());

        Map<String, Parameter> copy = twoParams();
        for (String name : copy.keySet()) copy.get(name).value().copyFrom(first.parameters().get(name).value());
        Optimizer resumed = make.apply(copy);
        resumed.loadState(saved);
        assertEquals(3, resumed.stepCount());
        assertEquals(first.learningRate(), resumed.learningRate());
        resumed.setLearningRate(straight.learningRate());
        run(resumed, 3, 6);
        for (String name : copy.keySet()) assertSameBits(straight.parameters().get(name).value(), resumed.parameters().get(name).value());
        // the exported state is a copy: stepping the optimizer on does not change it
        if (!kinds.isEmpty()) {
            String name = kinds.get(0) + ".features.0.weight";
            Tensor before = saved.tensors().get(name).copy();
            run(first, 3, 4);
            assertSameBits(before, saved.tensors().get(name));
            assertTrue(first.state().tensors().get(name).at(0) != before.at(0), "the live state moved on");
        }
    }

    @Test
    void saveAndRestoreContinuesBitIdentically() {
        assertResumesBitIdentically(ps -> new SGD(ps, 0.05).momentum(0.9).nesterov(true).weightDecay(1e-3), List.of("momentum_buffer"));
        assertResumesBitIdentically(ps -> new SGD(ps, 0.05), List.of());
        assertResumesBitIdentically(ps -> new Adam(ps, 0.01).amsgrad(true).weightDecay(1e-2), List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq"));
        assertResumesBitIdentically(ps -> new AdamW(ps, 0.01), List.of("exp_avg", "exp_avg_sq"));
        assertResumesBitIdentically(ps -> new RMSprop(ps, 0.01).momentum(0.5).centered(true),
                List.of("square_avg", "momentum_buffer", "grad_avg"));
    }

    @Test
    void loadStateRejectsMismatchesWithClearMessages() {
        Adam adam = new Adam(twoParams(), 0.01);
        run(adam, 0, 2);
        OptimizerState good = adam.state();

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SGD(twoParams(), 0.1).momentum(0.9).loadState(good));
        assertEquals("SGD: cannot load the state of a Adam optimizer", e.getMessage());

        Map<String, Tensor> missing = new LinkedHashMap<>(good.tensors());
        missing.remove("exp_avg_sq.features.0.bias");
        e = assertThrows(IllegalArgumentException.class, () -> new Adam(twoParams(), 0.01).loadState(new OptimizerState("Adam", missing, good.scalars())));
        assertEquals("Adam: the state is missing 'exp_avg_sq.features.0.bias'", e.getMessage());

        Map<String, Tensor> noKind = new LinkedHashMap<>(good.tensors());
        noKind.keySet().removeIf(k -> k.startsWith("exp_avg_sq."));
        e = assertThrows(IllegalArgumentException.class, () -> new Adam(twoParams(), 0.01).loadState(new OptimizerState("Adam", noKind, good.scalars())));
        assertEquals("Adam: the state at step 2 is missing the 'exp_avg_sq' tensors", e.getMessage());

        Map<String, Tensor> badShape = new LinkedHashMap<>(good.tensors());
        badShape.put("exp_avg.features.0.weight", Tensor.zeros(3, 2));
        e = assertThrows(IllegalArgumentException.class, () -> new Adam(twoParams(), 0.01).loadState(new OptimizerState("Adam", badShape, good.scalars())));
        assertEquals("Adam: state tensor 'exp_avg.features.0.weight' has shape [3, 2], the parameter has [2, 3]", e.getMessage());

        Map<String, Tensor> unknownParam = new LinkedHashMap<>(good.tensors());
        unknownParam.put("exp_avg.classifier.weight", Tensor.zeros(2));
        e = assertThrows(IllegalArgumentException.class, () -> new Adam(twoParams(), 0.01).loadState(new OptimizerState("Adam", unknownParam, good.scalars())));
        assertTrue(e.getMessage().startsWith("Adam: state tensor 'exp_avg.classifier.weight' names no parameter of this optimizer"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> new Adam(twoParams(), 0.01).loadState(
                new OptimizerState("Adam", Map.of("momentum_buffer.features.0.bias", Tensor.zeros(2)), good.scalars())));
        assertEquals("Adam: unexpected state tensor 'momentum_buffer.features.0.bias' (this Adam(lr=0.01) keeps [exp_avg, exp_avg_sq])", e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> new Adam(twoParams(), 0.01).loadState(
                new OptimizerState("Adam", good.tensors(), Map.of("step", 2.5, "lr", 0.01))));
        assertEquals("Adam: state scalar step must be a non-negative integer, got 2.5", e.getMessage());

        // a failed load changes nothing
        Adam target = new Adam(twoParams(), 0.02);
        assertThrows(IllegalArgumentException.class, () -> target.loadState(new OptimizerState("Adam", badShape, good.scalars())));
        assertEquals(0, target.stepCount());
        assertEquals(0.02, target.learningRate());
        assertTrue(target.state().tensors().isEmpty());
    }

    @Test
    void hyperParametersAreValidated() {
        Map<String, Parameter> ps = twoParams();
        assertEquals("SGD: invalid learning rate: -0.1 (must be finite and >= 0)",
                assertThrows(IllegalArgumentException.class, () -> new SGD(ps, -0.1)).getMessage());
        assertEquals("Adam: invalid learning rate: NaN (must be finite and >= 0)",
                assertThrows(IllegalArgumentException.class, () -> new Adam(ps, Double.NaN)).getMessage());
        assertEquals("SGD: invalid momentum: -0.5 (must be finite and >= 0)",
                assertThrows(IllegalArgumentException.class, () -> new SGD(ps, 0.1).momentum(-0.5)).getMessage());
        assertEquals("SGD: nesterov momentum requires a momentum > 0 and zero dampening, got momentum 0.0, dampening 0.0",
                assertThrows(IllegalArgumentException.class, () -> new SGD(ps, 0.1).nesterov(true)).getMessage());
        assertEquals("SGD: nesterov momentum requires zero dampening, got 0.1",
                assertThrows(IllegalArgumentException.class, () -> new SGD(ps, 0.1).momentum(0.9).nesterov(true).dampening(0.1)).getMessage());
        assertEquals("Adam: invalid beta parameter at index 0: 1.0 (must be in [0, 1))",
                assertThrows(IllegalArgumentException.class, () -> new Adam(ps, 0.1).betas(1.0, 0.999)).getMessage());
        assertEquals("AdamW: invalid beta parameter at index 1: -0.1 (must be in [0, 1))",
                assertThrows(IllegalArgumentException.class, () -> new AdamW(ps, 0.1).betas(0.9, -0.1)).getMessage());
        assertEquals("Adam: invalid epsilon: -1.0E-8 (must be finite and >= 0)",
                assertThrows(IllegalArgumentException.class, () -> new Adam(ps, 0.1).eps(-1e-8)).getMessage());
        assertEquals("RMSprop: invalid alpha: 1.5 (must be in [0, 1))",
                assertThrows(IllegalArgumentException.class, () -> new RMSprop(ps, 0.1).alpha(1.5)).getMessage());
        assertEquals("RMSprop: invalid weight_decay: -1.0 (must be finite and >= 0)",
                assertThrows(IllegalArgumentException.class, () -> new RMSprop(ps, 0.1).weightDecay(-1)).getMessage());
        assertEquals("AdamW: invalid learning rate: -1.0 (must be finite and >= 0)",
                assertThrows(IllegalArgumentException.class, () -> new AdamW(ps, 0.1).setLearningRate(-1)).getMessage());
        Map<String, Parameter> buffersOnly = Map.of("running_mean", Parameter.buffer("running_mean", Tensor.zeros(2)));
        assertEquals("SGD: no trainable parameters to optimize (got 1 buffers)",
                assertThrows(IllegalArgumentException.class, () -> new SGD(buffersOnly, 0.1)).getMessage());
    }

    @Test
    void toStringPrintsNonDefaultOptionsAndGettersReturnThem() {
        Map<String, Parameter> ps = twoParams();
        assertEquals("SGD(lr=0.1, momentum=0.9, nesterov=true, weight_decay=5.0E-4)",
                new SGD(ps, 0.1).momentum(0.9).nesterov(true).weightDecay(5e-4).toString());
        assertEquals("Adam(lr=0.001)", new Adam(ps, 1e-3).toString());
        assertEquals("AdamW(lr=0.001)", new AdamW(ps, 1e-3).toString());
        assertEquals("AdamW(lr=0.001, betas=(0.9, 0.95), weight_decay=0.1, amsgrad=true)",
                new AdamW(ps, 1e-3).betas(0.9, 0.95).weightDecay(0.1).amsgrad(true).toString());
        assertEquals("RMSprop(lr=0.01, alpha=0.9, momentum=0.5, centered=true)",
                new RMSprop(ps, 0.01).alpha(0.9).momentum(0.5).centered(true).toString());
        AdamW w = new AdamW(ps, 1e-3);
        assertEquals(0.01, w.weightDecay());
        assertEquals(0.9, w.beta1());
        assertEquals(0.999, w.beta2());
        assertEquals(1e-8, w.eps());
        RMSprop r = new RMSprop(ps, 0.01);
        assertEquals(0.99, r.alpha());
        assertEquals(1e-8, r.eps());
    }
}
