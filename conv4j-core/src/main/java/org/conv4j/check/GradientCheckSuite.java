package org.conv4j.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.conv4j.kernel.PaddingMode;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Linear;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.nn.Softmax;
import org.conv4j.tensor.Tensor;

/**
 * The gradient check over every layer type on random configurations, as run by
 * {@code conv4j gradcheck}: for each type, a generator of (layer, input) cases, and the
 * worst relative error found per type.
 */
public final class GradientCheckSuite {
    /** One random case: a layer and an input for it. */
    public record Case(Layer layer, Tensor input) {
    }

    /** The result for one layer type. */
    public record Result(String layerType, int cases, double worstError, String worstCase) {
        public boolean passed(double tolerance) {
            return worstError <= tolerance;
        }
    }

    private final Map<String, Function<SplittableRandom, Case>> generators = new LinkedHashMap<>();

    /** The suite with every built-in layer type. */
    public static GradientCheckSuite standard() {
        GradientCheckSuite s = new GradientCheckSuite();
        s.add("Conv2d", GradientCheckSuite::conv);
        s.add("Linear", r -> new Case(new Linear(1 + r.nextInt(6), 1 + r.nextInt(6)), null));
        s.add("ReLU", r -> new Case(new ReLU(), awayFromZero(r, 1 + r.nextInt(3), 2, 3, 3)));
        s.add("Softmax", r -> new Case(new Softmax(), uniform(r, 1 + r.nextInt(3), 2 + r.nextInt(5))));
        s.add("Sequential", r -> new Case(new Sequential(new Conv2d(2, 3, 3).padding(1), new Linear(3 * 4 * 4, 5)), null));
        return s;
    }

    /** Registers (or replaces) a layer type; a case whose input is null gets a random input from outputShape's expectations. */
    public GradientCheckSuite add(String layerType, Function<SplittableRandom, Case> generator) {
        generators.put(layerType, generator);
        return this;
    }

    public List<String> layerTypes() {
        return new ArrayList<>(generators.keySet());
    }

    /** Runs {@code cases} random configurations of each type (or only {@code only}, if not null). */
    public List<Result> run(int cases, long seed, String only) {
        if (only != null && !generators.containsKey(only)) {
            throw new IllegalArgumentException("unknown layer type '" + only + "'; known: " + String.join(", ", generators.keySet()));
        }
        List<Result> results = new ArrayList<>();
        for (Map.Entry<String, Function<SplittableRandom, Case>> e : generators.entrySet()) {
            if (only != null && !only.equals(e.getKey())) continue;
            SplittableRandom rng = new SplittableRandom(seed ^ e.getKey().hashCode());
            double worst = 0;
            String worstCase = "";
            for (int i = 0; i < cases; i++) {
                Init.seed(rng.nextLong());
                Case c = e.getValue().apply(rng);
                Tensor x = c.input() != null ? c.input() : inputFor(c.layer(), rng);
                double err = new GradientCheck().seed(rng.nextLong()).maxElementsPerTensor(64).check(c.layer(), x).worst();
                if (!(err <= worst)) {
                    worst = err;
                    worstCase = c.layer() + " on " + x.shape();
                }
            }
            results.add(new Result(e.getKey(), cases, worst, worstCase));
        }
        return results;
    }

    private static Tensor inputFor(Layer layer, SplittableRandom rng) {
        if (layer instanceof Linear l) return uniform(rng, 1 + rng.nextInt(3), l.inFeatures());
        if (layer instanceof Sequential) return uniform(rng, 2, 2, 4, 4);
        throw new IllegalArgumentException("no input for " + layer);
    }

    private static Case conv(SplittableRandom r) {
        int groups = 1 + r.nextInt(2);
        int cin = groups * (1 + r.nextInt(2)), cout = groups * (1 + r.nextInt(2));
        int k = 1 + r.nextInt(4), d = 1 + r.nextInt(2), p = r.nextInt(3);
        PaddingMode mode = PaddingMode.values()[r.nextInt(4)];
        int size = Math.max(d * (k - 1) + 1, p + 1) + 1 + r.nextInt(4);
        Conv2d conv = new Conv2d(cin, cout, k).stride(1 + r.nextInt(3)).padding(p).dilation(d).groups(groups)
                .paddingMode(mode).bias(r.nextBoolean());
        return new Case(conv, uniform(r, 1 + r.nextInt(2), cin, size, size + r.nextInt(2)));
    }

    /** Uniform values in [-1, 1). */
    public static Tensor uniform(SplittableRandom r, int... dims) {
        return Tensor.uniform(r, -1f, 1f, dims);
    }

    /** Values in [-1, -0.05] or [0.05, 1]: no kink of ReLU-like functions within the check's step. */
    public static Tensor awayFromZero(SplittableRandom r, int... dims) {
        Tensor t = uniform(r, dims);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = Math.copySign(0.05f + 0.95f * Math.abs(d[i]), d[i]);
        return t;
    }
}
