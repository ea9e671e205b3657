package org.conv4j.optim;

import java.util.Map;
import org.conv4j.kernel.Updates;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Parameter;

/**
 * Gradient clipping, as {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_};
 * call it between backward and {@link Optimizer#step()}. Buffers (no gradient) are skipped.
 *
 * <p>By global L2 norm: {@code norm = sqrt(sum over all parameters and elements of g^2)}; each
 * gradient is multiplied by {@code maxNorm / (norm + 1e-6)} when that factor is below 1 (so
 * exactly when {@code norm + 1e-6 > maxNorm}), as PyTorch's clamped coefficient does. The norm is
 * summed in double in a fixed order, so it does not depend on the thread count.
 */
public final class GradClip {
    private GradClip() {
    }

    /** The global L2 norm of all gradients, without changing them; may be NaN or infinite. */
    public static double globalNorm(Map<String, Parameter> parameters) {
        double s = 0;
        for (Parameter p : parameters.values()) if (p.isTrainable()) s += Updates.sumOfSquares(p.grad());
        return Math.sqrt(s);
    }

    /**
     * Scales all gradients so that their global L2 norm is at most {@code maxNorm}; returns the
     * norm before clipping. A NaN or infinite norm throws {@link ArithmeticException} naming the
     * first parameter (in map order) with a non-finite gradient, and leaves the gradients as they
     * are.
     */
    public static double clipGradNorm(Map<String, Parameter> parameters, double maxNorm) {
        if (!(maxNorm > 0 && maxNorm < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("clipGradNorm: maxNorm must be finite and > 0, got " + maxNorm);
        }
        double norm = globalNorm(parameters);
        if (!Double.isFinite(norm)) throw nonFinite(parameters, norm);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            for (Parameter p : parameters.values()) if (p.isTrainable()) Updates.scale(p.grad(), (float) coef);
        }
        return norm;
    }

    /** {@link #clipGradNorm(Map, double)} over every trainable parameter of {@code model}. */
    public static double clipGradNorm(Layer model, double maxNorm) {
        return clipGradNorm(Layers.namedParameters(model), maxNorm);
    }

    /** Clamps every gradient element into [-clipValue, clipValue]. */
    public static void clipGradValue(Map<String, Parameter> parameters, double clipValue) {
        if (!(clipValue > 0 && clipValue < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("clipGradValue: clipValue must be finite and > 0, got " + clipValue);
        }
        for (Parameter p : parameters.values()) if (p.isTrainable()) Updates.clamp(p.grad(), (float) clipValue);
    }

    private static ArithmeticException nonFinite(Map<String, Parameter> parameters, double norm) {
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            Parameter p = e.getValue();
            if (!p.isTrainable()) continue;
            int i = Updates.firstNonFinite(p.grad());
            if (i >= 0) {
                return new ArithmeticException("clipGradNorm: the total gradient norm is " + norm + "; the first non-finite gradient is '"
                        + e.getKey() + "' " + p.value().shape() + ", element " + i + " = " + p.grad().at(i));
            }
        }
        // unreachable for float gradients (their squares cannot overflow a double sum), kept for safety
        return new ArithmeticException("clipGradNorm: the total gradient norm is " + norm);
    }
}
