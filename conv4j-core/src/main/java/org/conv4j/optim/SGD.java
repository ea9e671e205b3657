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
 * Stochastic gradient descent with optional momentum, as {@code torch.optim.SGD} (SPEC 3:
 * mini-batch SGD). For every parameter p with gradient g:
 *
 * <pre>
 *   d = g + weightDecay * p                              (L2 penalty added to the gradient)
 *   buf = d                                              (first step, when momentum != 0)
 *   buf = momentum * buf + (1 - dampening) * d           (later steps)
 *   d = nesterov ? d + momentum * buf : buf              (when momentum != 0)
 *   p = p - lr * d
 * </pre>
 *
 * Defaults: momentum 0, dampening 0, nesterov off, weight decay 0. Nesterov needs a positive
 * momentum and zero dampening. State: {@code momentum_buffer} when momentum != 0.
 */
public final class SGD extends BaseOptimizer {
    private double momentum, dampening, weightDecay;
    private boolean nesterov;

    public SGD(Map<String, Parameter> parameters, double lr) {
        super("SGD", parameters, lr);
    }

    /** Over every trainable parameter of {@code model}. */
    public SGD(Layer model, double lr) {
        this(Layers.namedParameters(model), lr);
    }

    public SGD momentum(double m) {
        checkNonNegative(m, "momentum");
        check(!nesterov || m > 0, "nesterov momentum requires a momentum > 0, got %s", m);
        momentum = m;
        return this;
    }

    public SGD dampening(double d) {
        check(d >= 0 && d <= 1, "invalid dampening: %s (must be in [0, 1])", d);
        check(!nesterov || d == 0, "nesterov momentum requires zero dampening, got %s", d);
        dampening = d;
        return this;
    }

    public SGD nesterov(boolean on) {
        check(!on || momentum > 0 && dampening == 0,
                "nesterov momentum requires a momentum > 0 and zero dampening, got momentum %s, dampening %s", momentum, dampening);
        nesterov = on;
        return this;
    }

    /** The L2 penalty coefficient, added to the gradient as {@code weightDecay * p}. */
    public SGD weightDecay(double wd) {
        checkNonNegative(wd, "weight_decay");
        weightDecay = wd;
        return this;
    }

    public double momentum() { return momentum; }
    public double dampening() { return dampening; }
    public boolean nesterov() { return nesterov; }
    public double weightDecay() { return weightDecay; }

    @Override
    List<String> stateKinds() {
        return momentum != 0 ? List.of("momentum_buffer") : List.of();
    }

    @Override
    public void step() {
        Tensor[] buf = null;
        boolean first = false;
        if (momentum != 0) {
            buf = buffer("momentum_buffer");
            // as torch: the buffer starts as a copy of the first (decayed) gradient, not zero
            first = buf == null;
            if (first) buf = createBuffer("momentum_buffer");
        }
        for (int i = 0; i < params.length; i++) {
            Parameter p = params[i];
            Updates.sgd(p.value(), p.grad(), buf == null ? null : buf[i], first, learningRate(), momentum, dampening, nesterov, weightDecay);
        }
        steps++;
    }

    @Override
    public String toString() {
        List<String> o = new ArrayList<>();
        if (momentum != 0) o.add("momentum=" + momentum);
        if (dampening != 0) o.add("dampening=" + dampening);
        if (nesterov) o.add("nesterov=true");
        if (weightDecay != 0) o.add("weight_decay=" + weightDecay);
        return describe(o);
    }
}
