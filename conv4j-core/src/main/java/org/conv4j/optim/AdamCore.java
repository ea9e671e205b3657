package org.conv4j.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.conv4j.kernel.Updates;
import org.conv4j.nn.Parameter;
import org.conv4j.tensor.Tensor;

/** Adam and AdamW share everything but where the weight decay goes; T is the concrete class, for fluent setters. */
abstract class AdamCore<T extends AdamCore<T>> extends BaseOptimizer {
    private final boolean decoupled;
    private double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay;
    private boolean amsgrad;

    AdamCore(String type, Map<String, Parameter> parameters, double lr, boolean decoupled, double weightDecay) {
        super(type, parameters, lr);
        this.decoupled = decoupled;
        this.weightDecay = weightDecay;
    }

    @SuppressWarnings("unchecked")
    private T self() {
        return (T) this;
    }

    /** The decay rates of the first and second moment estimates, each in [0, 1). */
    public T betas(double b1, double b2) {
        check(b1 >= 0 && b1 < 1, "invalid beta parameter at index 0: %s (must be in [0, 1))", b1);
        check(b2 >= 0 && b2 < 1, "invalid beta parameter at index 1: %s (must be in [0, 1))", b2);
        beta1 = b1;
        beta2 = b2;
        return self();
    }

    /** Added to the denominator for numerical stability. */
    public T eps(double e) {
        checkNonNegative(e, "epsilon");
        eps = e;
        return self();
    }

    public T weightDecay(double wd) {
        checkNonNegative(wd, "weight_decay");
        weightDecay = wd;
        return self();
    }

    /** AMSGrad: divide by the running maximum of the second moment (state {@code max_exp_avg_sq}). */
    public T amsgrad(boolean on) {
        amsgrad = on;
        return self();
    }

    public double beta1() { return beta1; }
    public double beta2() { return beta2; }
    public double eps() { return eps; }
    public double weightDecay() { return weightDecay; }
    public boolean amsgrad() { return amsgrad; }

    @Override
    List<String> stateKinds() {
        return amsgrad ? List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq") : List.of("exp_avg", "exp_avg_sq");
    }

    @Override
    public void step() {
        // moments start at zero; the bias corrections use the step count after this step (1 first)
        Tensor[] m = bufferOrZeros("exp_avg"), v = bufferOrZeros("exp_avg_sq");
        Tensor[] vmax = amsgrad ? bufferOrZeros("max_exp_avg_sq") : null;
        long t = steps + 1;
        double l2 = decoupled ? 0 : weightDecay, decay = decoupled ? weightDecay : 0;
        for (int i = 0; i < params.length; i++) {
            Parameter p = params[i];
            Updates.adam(p.value(), p.grad(), m[i], v[i], vmax == null ? null : vmax[i], t, learningRate(), beta1, beta2, eps, l2, decay);
        }
        steps = t;
    }

    /** The non-default options, PyTorch-repr style; {@code defaultDecay} differs between Adam and AdamW. */
    final String describe(double defaultDecay) {
        List<String> o = new ArrayList<>();
        if (beta1 != 0.9 || beta2 != 0.999) o.add("betas=(" + beta1 + ", " + beta2 + ")");
        if (eps != 1e-8) o.add("eps=" + eps);
        if (weightDecay != defaultDecay) o.add("weight_decay=" + weightDecay);
        if (amsgrad) o.add("amsgrad=true");
        return describe(o);
    }
}
