package org.conv4j.optim;

import java.util.Map;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Parameter;

/**
 * Adam, as {@code torch.optim.Adam}. At step t (1 for the first), for every parameter p with
 * gradient g:
 *
 * <pre>
 *   g = g + weightDecay * p                       (L2 penalty, coupled: it enters the moments)
 *   m = beta1 * m + (1 - beta1) * g               (exp_avg, starts at 0)
 *   v = beta2 * v + (1 - beta2) * g * g           (exp_avg_sq, starts at 0)
 *   vmax = max(vmax, v); v = vmax                  (AMSGrad only; max_exp_avg_sq)
 *   p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 *
 * Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0, AMSGrad off. For weight
 * decay that does not pass through the moments use {@link AdamW}.
 */
public final class Adam extends AdamCore<Adam> {
    public Adam(Map<String, Parameter> parameters, double lr) {
        super("Adam", parameters, lr, false, 0);
    }

    public Adam(Layer model, double lr) {
        this(Layers.namedParameters(model), lr);
    }

    /** With PyTorch's default learning rate 1e-3. */
    public Adam(Layer model) {
        this(model, 1e-3);
    }

    @Override
    public String toString() {
        return describe(0);
    }
}
