package org.conv4j.check;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Mode;
import org.conv4j.nn.Parameter;
import org.conv4j.tensor.Tensor;

/**
 * Numerical gradient checking (SPEC 2, example 8). The error is {@code E = sum(r * y)} for a
 * fixed random {@code r} (or all ones, which is the sources' {@code sum(output)}), so
 * {@code dE/dy = r}. Every analytic gradient, of the input and of each trainable parameter, is
 * compared with the central difference {@code (E(v + eps) - E(v - eps)) / (2 eps)}.
 *
 * <p>The error of one element is {@code |analytic - numeric| / max(|analytic|, |numeric|, floor)},
 * where {@code floor = 1e-2 * max|numeric|} over the tensor keeps float32 rounding on near-zero
 * entries from dominating. The report gives the worst element error per tensor.
 */
public final class GradientCheck {
    private double epsilon = 1e-2;
    private boolean sumOfOutput;
    private int maxElementsPerTensor = Integer.MAX_VALUE;
    private long seed = 42;
    private Mode mode = Mode.TRAIN;

    /** Step of the central difference (default 1e-2, suited to float32). */
    public GradientCheck epsilon(double eps) {
        if (!(eps > 0)) throw new IllegalArgumentException("GradientCheck: epsilon must be > 0, got " + eps);
        epsilon = eps;
        return this;
    }

    /** Use {@code E = sum(output)}, as the sources do, instead of a random projection. */
    public GradientCheck sumOfOutput(boolean on) {
        sumOfOutput = on;
        return this;
    }

    /** Check at most this many randomly chosen elements of each tensor (default: all). */
    public GradientCheck maxElementsPerTensor(int n) {
        if (n < 1) throw new IllegalArgumentException("GradientCheck: maxElementsPerTensor must be >= 1, got " + n);
        maxElementsPerTensor = n;
        return this;
    }

    public GradientCheck seed(long s) {
        seed = s;
        return this;
    }

    /** The mode of the forward passes (TRAIN by default; BatchNorm is checked in both). */
    public GradientCheck mode(Mode m) {
        mode = m;
        return this;
    }

    /** The worst relative error per tensor: "input" and every trainable parameter by name. */
    public static final class Report {
        private final Map<String, Double> errors;

        Report(Map<String, Double> errors) {
            this.errors = errors;
        }

        public Map<String, Double> errors() {
            return errors;
        }

        public double worst() {
            double w = 0;
            for (double e : errors.values()) w = Math.max(w, e);
            return w;
        }

        public boolean passed(double tolerance) {
            return worst() <= tolerance;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            errors.forEach((k, v) -> sb.append(String.format("%-24s %.3e%n", k, v)));
            return sb.toString();
        }
    }

    /** Checks {@code layer} at input {@code x} (which is not modified). */
    public Report check(Layer layer, Tensor x) {
        Tensor input = x.copy();
        Tensor y0 = layer.forward(input, mode);
        Tensor r = projection(y0);
        for (Parameter p : Layers.namedParameters(layer).values()) p.zeroGrad();
        Tensor dx = layer.backward(r.copy());
        Map<String, Double> errors = new LinkedHashMap<>();
        SplittableRandom pick = new SplittableRandom(seed + 1);
        errors.put("input", compare(layer, input, input, dx, r, pick));
        for (Map.Entry<String, Parameter> e : Layers.namedParameters(layer).entrySet()) {
            Parameter p = e.getValue();
            if (!p.isTrainable()) continue;
            Tensor analytic = p.grad().copy();
            errors.put(e.getKey(), compare(layer, input, p.value(), analytic, r, pick));
        }
        return new Report(errors);
    }

    private Tensor projection(Tensor y) {
        Tensor r = Tensor.zeros(y.shape());
        if (sumOfOutput) {
            r.fill(1f);
        } else {
            SplittableRandom rng = new SplittableRandom(seed);
            for (int i = 0; i < r.size(); i++) r.data()[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return r;
    }

    private double compare(Layer layer, Tensor input, Tensor perturbed, Tensor analytic, Tensor r, SplittableRandom pick) {
        int n = perturbed.size();
        int[] idx = indices(n, pick);
        double[] numeric = new double[idx.length];
        double maxNumeric = 0;
        float[] d = perturbed.data();
        for (int j = 0; j < idx.length; j++) {
            int at = perturbed.offset() + idx[j];
            float saved = d[at];
            d[at] = (float) (saved + epsilon);
            double plus = error(layer.forward(input, mode), r);
            d[at] = (float) (saved - epsilon);
            double minus = error(layer.forward(input, mode), r);
            d[at] = saved;
            numeric[j] = (plus - minus) / (2 * epsilon);
            maxNumeric = Math.max(maxNumeric, Math.abs(numeric[j]));
        }
        double floor = Math.max(1e-2 * maxNumeric, 1e-6);
        double worst = 0;
        for (int j = 0; j < idx.length; j++) {
            double a = analytic.at(idx[j]), num = numeric[j];
            double err = Math.abs(a - num) / Math.max(Math.max(Math.abs(a), Math.abs(num)), floor);
            if (!(err <= worst)) worst = err; // NaN propagates as the worst
            if (Double.isNaN(err)) return Double.NaN;
        }
        return worst;
    }

    private int[] indices(int n, SplittableRandom pick) {
        if (n <= maxElementsPerTensor) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            return all;
        }
        int[] some = new int[maxElementsPerTensor];
        for (int i = 0; i < some.length; i++) some[i] = pick.nextInt(n);
        return some;
    }

    private static double error(Tensor y, Tensor r) {
        double s = 0;
        for (int i = 0; i < y.size(); i++) s += (double) y.at(i) * r.at(i);
        return s;
    }
}
