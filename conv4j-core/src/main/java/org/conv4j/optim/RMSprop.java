package org.conv4j.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.conv4j.kernel.Updates;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Parameter;
import org.conv4j.tensor.Tensor;

/**
 * RMSProp, as {@code torch.optim.RMSprop} (named as PyTorch names it). For every parameter p
 * with gradient g:
 *
 * <pre>
 *   g = g + weightDecay * p
 *   sq = alpha * sq + (1 - alpha) * g * g                  (square_avg, starts at 0)
 *   ga = alpha * ga + (1 - alpha) * g                      (grad_avg, centered only)
 *   avg = sqrt(sq - ga * ga) + eps   (centered),  sqrt(sq) + eps  (otherwise)
 *   buf = momentum * buf + g / avg;  p = p - lr * buf      (momentum > 0; buf starts at 0)
 *   p = p - lr * g / avg                                   (momentum = 0)
 * </pre>
 *
 * Defaults: lr 1e-2, alpha 0.99, eps 1e-8, weight decay 0, momentum 0, not centered. Note that
 * eps is added outside the square root, as in PyTorch (TensorFlow adds it inside).
 */
public final class RMSprop extends BaseOptimizer {
    private double alpha = 0.99, eps = 1e-8, weightDecay, momentum;
    private boolean centered;

    public RMSprop(Map<String, Parameter> parameters, double lr) {
        super("RMSprop", parameters, lr);
    }

    public RMSprop(Layer model, double lr) {
        this(Layers.namedParameters(model), lr);
    }

    /** With PyTorch's default learning rate 1e-2. */
    public RMSprop(Layer model) {
        this(model, 1e-2);
    }

    /** The smoothing constant of the running averages, in [0, 1). */
    public RMSprop alpha(double a) {
        checkUnitInterval(a, "alpha");
        alpha = a;
        return this;
    }

    public RMSprop eps(double e) {
        checkNonNegative(e, "epsilon");
        eps = e;
        return this;
    }

    public RMSprop weightDecay(double wd) {
        checkNonNegative(wd, "weight_decay");
        weightDecay = wd;
        return this;
    }

    public RMSprop momentum(double m) {
        checkNonNegative(m, "momentum");
        momentum = m;
        return this;
    }

    /** Normalize by an estimate of the gradient's variance instead of its second moment. */
    public RMSprop centered(boolean on) {
        centered = on;
        return this;
    }

    public double alpha() { return alpha; }
    public double eps() { return eps; }
    public double weightDecay() { return weightDecay; }
    public double momentum() { return momentum; }
    public boolean centered() { return centered; }

    @Override
    List<String> stateKinds() {
        List<String> k = new ArrayList<>(List.of("square_avg"));
        if (momentum > 0) k.add("momentum_buffer");
        if (centered) k.add("grad_avg");
        return k;
    }

    @Override
    public void step() {
        Tensor[] sq = bufferOrZeros("square_avg");
        Tensor[] buf = momentum > 0 ? bufferOrZeros("momentum_buffer") : null;
        Tensor[] ga = centered ? bufferOrZeros("grad_avg") : null;
        for (int i = 0; i < params.length; i++) {
            Parameter p = params[i];
            Updates.rmsprop(p.value(), p.grad(), sq[i], ga == null ? null : ga[i], buf == null ? null : buf[i],
                    learningRate(), alpha, eps, weightDecay, momentum);
        }
        steps++;
    }

    @Override
    public String toString() {
        List<String> o = new ArrayList<>();
        if (alpha != 0.99) o.add("alpha=" + alpha);
        if (eps != 1e-8) o.add("eps=" + eps);
        if (weightDecay != 0) o.add("weight_decay=" + weightDecay);
        if (momentum != 0) o.add("momentum=" + momentum);
        if (centered) o.add("centered=true");
        return describe(o);
    }
}
