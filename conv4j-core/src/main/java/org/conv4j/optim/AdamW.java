package org.conv4j.optim;

import java.util.Map;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Parameter;

/**
 * AdamW (Loshchilov and Hutter's decoupled weight decay), as {@code torch.optim.AdamW}: the
 * parameter shrinks by {@code p = p * (1 - lr * weightDecay)} first, then the {@link Adam}
 * update runs on the raw gradient (no L2 term in the moments):
 *
 * <pre>
 *   p = p * (1 - lr * weightDecay)
 *   m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
 *   p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 *
 * Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-2 (PyTorch's), AMSGrad off.
 */
public final class AdamW extends AdamCore<AdamW> {
    public AdamW(Map<String, Parameter> parameters, double lr) {
        super("AdamW", parameters, lr, true, 1e-2);
    }

    public AdamW(Layer model, double lr) {
        this(Layers.namedParameters(model), lr);
    }

    /** With PyTorch's default learning rate 1e-3. */
    public AdamW(Layer model) {
        this(model, 1e-3);
    }

    @Override
    public String toString() {
        return describe(1e-2);
    }
}
