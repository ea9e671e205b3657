package org.conv4j.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.conv4j.kernel.PaddingMode;
import org.conv4j.nn.Add;
import org.conv4j.nn.AvgPool2d;
import org.conv4j.nn.BatchNorm1d;
import org.conv4j.nn.BatchNorm2d;
import org.conv4j.nn.Concat;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.ConvTranspose2d;
import org.conv4j.nn.Dropout;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.GaussianPool2d;
import org.conv4j.nn.GlobalAvgPool2d;
import org.conv4j.nn.Graph;
import org.conv4j.nn.Identity;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.LeakyReLU;
import org.conv4j.nn.Linear;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.Maxout;
import org.conv4j.nn.Mode;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.nn.Sigmoid;
import org.conv4j.nn.Softmax;
import org.conv4j.nn.Tanh;
import org.conv4j.nn.TrainablePool2d;
import org.conv4j.nn.Upsample;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * The gradient check over every layer type on random configurations, as run by
 * {@code conv4j gradcheck}: for each type, a generator of (layer, input) cases, and the
 * worst relative error found per type.
 */
public final class GradientCheckSuite {
    /** One random case: a layer, an input for it, and the mode of the check. */
    public record Case(Layer layer, Tensor input, Mode mode) {
        public Case(Layer layer, Tensor input) {
            this(layer, input, Mode.TRAIN);
        }
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
        s.add("ConvTranspose2d", GradientCheckSuite::convTranspose);
        s.add("Upsample", r -> {
            Upsample u = r.nextBoolean() ? new Upsample(1 + r.nextInt(3) + 0.5 * r.nextInt(2)) : new Upsample(1 + r.nextInt(7), 1 + r.nextInt(7));
            if (r.nextBoolean()) u.mode("bilinear").alignCorners(r.nextBoolean());
            return new Case(u, uniform(r, 1 + r.nextInt(2), 2, 1 + r.nextInt(4), 1 + r.nextInt(4)));
        });
        s.add("Linear", r -> {
            Linear l = new Linear(1 + r.nextInt(6), 1 + r.nextInt(6), r.nextBoolean());
            return new Case(l, uniform(r, 1 + r.nextInt(3), l.inFeatures()));
        });
        s.add("MaxPool2d", r -> {
            int k = 2 + r.nextInt(2);
            MaxPool2d p = new MaxPool2d(k).stride(1 + r.nextInt(2)).padding(r.nextInt(k / 2 + 1)).ceilMode(r.nextBoolean());
            return new Case(p, distinct(r, 1 + r.nextInt(2), 2, 5 + r.nextInt(3), 5 + r.nextInt(3)));
        });
        s.add("AvgPool2d", r -> {
            int k = 2 + r.nextInt(2);
            AvgPool2d p = new AvgPool2d(k).stride(1 + r.nextInt(2)).padding(r.nextInt(k / 2 + 1))
                    .ceilMode(r.nextBoolean()).countIncludePad(r.nextBoolean());
            return new Case(p, uniform(r, 1 + r.nextInt(2), 2, 5 + r.nextInt(3), 5 + r.nextInt(3)));
        });
        s.add("GlobalAvgPool2d", r -> new Case(new GlobalAvgPool2d(), uniform(r, 1 + r.nextInt(2), 3, 2 + r.nextInt(4), 2 + r.nextInt(4))));
        s.add("GaussianPool2d", r -> new Case(new GaussianPool2d(3, 0.5 + r.nextDouble()).stride(1 + r.nextInt(2)),
                uniform(r, 1 + r.nextInt(2), 2, 5 + r.nextInt(3), 5 + r.nextInt(3))));
        s.add("TrainablePool2d", r -> new Case(new TrainablePool2d(2, 2 + r.nextInt(2)).stride(1 + r.nextInt(2)),
                uniform(r, 1 + r.nextInt(2), 2, 5 + r.nextInt(3), 5 + r.nextInt(3))));
        s.add("ReLU", r -> new Case(new ReLU(), awayFromZero(r, 1 + r.nextInt(3), 2, 3, 3)));
        s.add("LeakyReLU", r -> new Case(new LeakyReLU((float) (0.01 + 0.3 * r.nextDouble())), awayFromZero(r, 1 + r.nextInt(3), 2, 3, 3)));
        s.add("Sigmoid", r -> new Case(new Sigmoid(), uniform(r, 1 + r.nextInt(3), 2, 3, 3)));
        s.add("Tanh", r -> new Case(new Tanh(), uniform(r, 1 + r.nextInt(3), 2, 3, 3)));
        s.add("Identity", r -> new Case(new Identity(), uniform(r, 1 + r.nextInt(3), 2, 3)));
        s.add("Maxout", r -> new Case(new Maxout(2 + r.nextInt(2)), distinct(r, 1 + r.nextInt(2), 6, 2, 3)));
        s.add("Softmax", r -> r.nextBoolean() ? new Case(new Softmax(), uniform(r, 1 + r.nextInt(3), 2 + r.nextInt(5)))
                : new Case(new Softmax(r.nextBoolean() ? 1 : -1), uniform(r, 1 + r.nextInt(2), 2 + r.nextInt(3), 2, 3)));
        s.add("Flatten", r -> new Case(new Flatten(), uniform(r, 1 + r.nextInt(3), 2, 3, 2)));
        s.add("Dropout", r -> new Case(new FixedMaskDropout(0.1 + 0.6 * r.nextDouble(), r.nextLong()), uniform(r, 1 + r.nextInt(3), 2, 3, 3)));
        s.add("BatchNorm1d", r -> new Case(new BatchNorm1d(3), uniform(r, 2 + r.nextInt(4), 3), r.nextBoolean() ? Mode.TRAIN : Mode.EVAL));
        s.add("BatchNorm2d", r -> new Case(new BatchNorm2d(2), uniform(r, 1 + r.nextInt(3), 2, 3, 3), r.nextBoolean() ? Mode.TRAIN : Mode.EVAL));
        s.add("Sequential", r -> new Case(new Sequential(new Conv2d(2, 3, 3).padding(1), new Flatten(), new Linear(3 * 4 * 4, 5)),
                uniform(r, 1 + r.nextInt(2), 2, 4, 4)));
        s.add("Graph", r -> {
            Graph g = new Graph()
                    .add("a", new Conv2d(2, 2, 3).padding(1), Graph.INPUT)
                    .add("b", new Conv2d(2, 2, 1), Graph.INPUT)
                    .add("sum", new Add(), "a", "b", Graph.INPUT)
                    .add("cat", new Concat(), "sum", "a")
                    .output("cat");
            return new Case(g, uniform(r, 1 + r.nextInt(2), 2, 4, 4));
        });
        return s;
    }

    /** Registers (or replaces) a layer type with its generator of random cases. */
    public GradientCheckSuite add(String layerType, Function<SplittableRandom, Case> generator) {
        generators.put(layerType, generator);
        return this;
    }

    /** One random case of a registered layer type. */
    public Case generate(String layerType, SplittableRandom rng) {
        Function<SplittableRandom, Case> g = generators.get(layerType);
        if (g == null) throw new IllegalArgumentException("unknown layer type '" + layerType + "'; known: " + String.join(", ", generators.keySet()));
        return g.apply(rng);
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
                Tensor x = c.input();
                double err = new GradientCheck().seed(rng.nextLong()).mode(c.mode()).maxElementsPerTensor(64).check(c.layer(), x).worst();
                if (!(err <= worst)) {
                    worst = err;
                    worstCase = c.layer() + " on " + x.shape() + " in " + c.mode();
                }
            }
            results.add(new Result(e.getKey(), cases, worst, worstCase));
        }
        return results;
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

    private static Case convTranspose(SplittableRandom r) {
        int groups = 1 + r.nextInt(2);
        int cin = groups * (1 + r.nextInt(2)), cout = groups * (1 + r.nextInt(2));
        int k = 1 + r.nextInt(3), s = 1 + r.nextInt(3), d = 1 + r.nextInt(2);
        int p = r.nextInt(d * (k - 1) / 2 + 1), op = r.nextInt(Math.max(s, d));
        ConvTranspose2d t = new ConvTranspose2d(cin, cout, k).stride(s).padding(p).outputPadding(op).dilation(d)
                .groups(groups).bias(r.nextBoolean());
        return new Case(t, uniform(r, 1 + r.nextInt(2), cin, 2 + r.nextInt(3), 2 + r.nextInt(4)));
    }

    /** Uniform values in [-1, 1). */
    public static Tensor uniform(SplittableRandom r, int... dims) {
        return Tensor.uniform(r, -1f, 1f, dims);
    }

    /** A random arrangement of values spaced 0.05 apart: no ties within the check's step. */
    public static Tensor distinct(SplittableRandom r, int... dims) {
        Tensor t = Tensor.zeros(dims);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = 0.05f * (i - d.length / 2);
        for (int i = d.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float tmp = d[i];
            d[i] = d[j];
            d[j] = tmp;
        }
        return t;
    }

    /** Values in [-1, -0.05] or [0.05, 1]: no kink of ReLU-like functions within the check's step. */
    public static Tensor awayFromZero(SplittableRandom r, int... dims) {
        Tensor t = uniform(r, dims);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = Math.copySign(0.05f + 0.95f * Math.abs(d[i]), d[i]);
        return t;
    }

    /** Dropout re-seeded before every forward, so each pass of the check draws the same mask. */
    private static final class FixedMaskDropout implements Layer {
        private final Dropout dropout;
        private final long seed;

        FixedMaskDropout(double p, long seed) {
            this.dropout = new Dropout(p);
            this.seed = seed;
        }

        @Override
        public Tensor forward(Tensor x, Mode mode) {
            dropout.seed(seed);
            return dropout.forward(x, mode);
        }

        @Override
        public Tensor backward(Tensor dy) {
            return dropout.backward(dy);
        }

        @Override
        public Shape outputShape(Shape input) {
            return dropout.outputShape(input);
        }

        @Override
        public String toString() {
            return dropout + " with a fixed mask";
        }
    }
}
