package org.conv4j.kernel;

import org.conv4j.tensor.Tensor;

/**
 * The parameter-update loops of the optimizers (org.conv4j.optim) and gradient clipping: one
 * call updates one parameter tensor in place. Each follows PyTorch's single-tensor
 * implementation operation by operation in float32, with PyTorch's Python-side scalars
 * (computed in double) rounded to float once, so results agree with {@code torch.optim} to a
 * few ulps.
 *
 * <p>The fast versions run over fixed blocks of elements in parallel; every element's
 * arithmetic is the same as in the plain {@code reference*} versions, so the two agree bit for
 * bit and the result does not depend on the thread count. {@link #sumOfSquares} adds fixed
 * blocks in double and combines them in block order, for the same reason.
 */
public final class Updates {
    /** Elements per block of the parallel sum; fixed, so the reduction order never changes. */
    private static final int SUM_BLOCK = 1 << 12;

    private Updates() {
    }

    /**
     * SGD, as {@code torch.optim.SGD}: {@code d = g + wd*p}; with momentum
     * {@code buf = d} on the first step, else {@code buf = momentum*buf + (1-dampening)*d};
     * {@code d = nesterov ? d + momentum*buf : buf}; {@code p -= lr*d}.
     *
     * @param buf the momentum buffer, or null without momentum
     * @param firstStep whether {@code buf} is created by this step (it is then set to d)
     */
    public static void sgd(Tensor p, Tensor g, Tensor buf, boolean firstStep, double lr, double momentum,
            double dampening, boolean nesterov, double weightDecay) {
        float[] pd = p.data(), gd = g.data(), bd = buf == null ? null : buf.data();
        int po = p.offset(), go = g.offset(), bo = buf == null ? 0 : buf.offset();
        float negLr = (float) -lr, mom = (float) momentum, keep = (float) (1 - dampening), wd = (float) weightDecay;
        boolean decay = weightDecay != 0;
        Elementwise.forRange(p.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                float d = gd[go + i];
                if (decay) d = d + wd * pd[po + i];
                if (bd != null) {
                    float b = firstStep ? d : bd[bo + i] * mom + keep * d;
                    bd[bo + i] = b;
                    d = nesterov ? d + mom * b : b;
                }
                pd[po + i] = pd[po + i] + negLr * d;
            }
        });
    }

    /** The plain loop for {@link #sgd}. */
    public static void referenceSgd(Tensor p, Tensor g, Tensor buf, boolean firstStep, double lr, double momentum,
            double dampening, boolean nesterov, double weightDecay) {
        for (int i = 0; i < p.size(); i++) {
            float d = g.at(i);
            if (weightDecay != 0) d = d + (float) weightDecay * p.at(i);
            if (buf != null) {
                float b = firstStep ? d : buf.at(i) * (float) momentum + (float) (1 - dampening) * d;
                buf.data()[buf.offset() + i] = b;
                d = nesterov ? d + (float) momentum * b : b;
            }
            p.data()[p.offset() + i] = p.at(i) + (float) -lr * d;
        }
    }

    /**
     * Adam and AdamW, as {@code torch.optim.Adam}/{@code AdamW} at step {@code t} (1 for the
     * first): {@code p *= 1 - lr*decoupledDecay} (AdamW), {@code g += l2Decay*p} (Adam),
     * {@code m = beta1*m + (1-beta1)*g}, {@code v = beta2*v + (1-beta2)*g*g},
     * {@code vmax = max(vmax, v)} with AMSGrad,
     * {@code p -= lr/(1-beta1^t) * m / (sqrt(v)/sqrt(1-beta2^t) + eps)}.
     *
     * @param vmax the running maximum of v (AMSGrad), or null
     */
    public static void adam(Tensor p, Tensor g, Tensor m, Tensor v, Tensor vmax, long t, double lr, double beta1,
            double beta2, double eps, double l2Decay, double decoupledDecay) {
        float[] pd = p.data(), gd = g.data(), md = m.data(), vd = v.data(), xd = vmax == null ? null : vmax.data();
        int po = p.offset(), go = g.offset(), mo = m.offset(), vo = v.offset(), xo = vmax == null ? 0 : vmax.offset();
        float shrink = (float) (1 - lr * decoupledDecay), l2 = (float) l2Decay;
        float b1 = (float) beta1, c1 = (float) (1 - beta1), b2 = (float) beta2, c2 = (float) (1 - beta2);
        float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, t)), e = (float) eps;
        float negStep = (float) -(lr / (1 - Math.pow(beta1, t)));
        boolean decoupled = decoupledDecay != 0, coupled = l2Decay != 0;
        Elementwise.forRange(p.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                float w = pd[po + i];
                if (decoupled) w = w * shrink;
                float grad = gd[go + i];
                if (coupled) grad = grad + l2 * w;
                float mi = md[mo + i] * b1 + c1 * grad;
                float vi = vd[vo + i] * b2 + c2 * grad * grad;
                md[mo + i] = mi;
                vd[vo + i] = vi;
                if (xd != null) {
                    vi = Math.max(xd[xo + i], vi);
                    xd[xo + i] = vi;
                }
                float denom = (float) Math.sqrt(vi) / bc2Sqrt + e;
                pd[po + i] = w + negStep * (mi / denom);
            }
        });
    }

    /** The plain loop for {@link #adam}. */
    public static void referenceAdam(Tensor p, Tensor g, Tensor m, Tensor v, Tensor vmax, long t, double lr,
            double beta1, double beta2, double eps, double l2Decay, double decoupledDecay) {
        for (int i = 0; i < p.size(); i++) {
            float w = p.at(i);
            if (decoupledDecay != 0) w = w * (float) (1 - lr * decoupledDecay);
            float grad = g.at(i);
            if (l2Decay != 0) grad = grad + (float) l2Decay * w;
            float mi = m.at(i) * (float) beta1 + (float) (1 - beta1) * grad;
            float vi = v.at(i) * (float) beta2 + (float) (1 - beta2) * grad * grad;
            m.data()[m.offset() + i] = mi;
            v.data()[v.offset() + i] = vi;
            if (vmax != null) {
                vi = Math.max(vmax.at(i), vi);
                vmax.data()[vmax.offset() + i] = vi;
            }
            float denom = (float) Math.sqrt(vi) / (float) Math.sqrt(1 - Math.pow(beta2, t)) + (float) eps;
            p.data()[p.offset() + i] = w + (float) -(lr / (1 - Math.pow(beta1, t))) * (mi / denom);
        }
    }

    /**
     * RMSProp, as {@code torch.optim.RMSprop}: {@code g += wd*p},
     * {@code sq = alpha*sq + (1-alpha)*g*g}; centered: {@code ga = alpha*ga + (1-alpha)*g},
     * {@code avg = sqrt(sq - ga*ga) + eps}, else {@code avg = sqrt(sq) + eps}; with momentum
     * {@code buf = momentum*buf + g/avg}, {@code p -= lr*buf}, else {@code p -= lr*g/avg}.
     *
     * @param gradAvg the running mean of g (centered), or null
     * @param buf the momentum buffer (starts at zero), or null
     */
    public static void rmsprop(Tensor p, Tensor g, Tensor squareAvg, Tensor gradAvg, Tensor buf, double lr,
            double alpha, double eps, double weightDecay, double momentum) {
        float[] pd = p.data(), gd = g.data(), sd = squareAvg.data();
        float[] ad = gradAvg == null ? null : gradAvg.data(), bd = buf == null ? null : buf.data();
        int po = p.offset(), go = g.offset(), so = squareAvg.offset();
        int ao = gradAvg == null ? 0 : gradAvg.offset(), bo = buf == null ? 0 : buf.offset();
        float a = (float) alpha, c = (float) (1 - alpha), e = (float) eps, wd = (float) weightDecay;
        float mom = (float) momentum, negLr = (float) -lr;
        boolean decay = weightDecay != 0;
        Elementwise.forRange(p.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                float grad = gd[go + i];
                if (decay) grad = grad + wd * pd[po + i];
                float sq = sd[so + i] * a + c * grad * grad;
                sd[so + i] = sq;
                float avg;
                if (ad != null) {
                    float ga = ad[ao + i] * a + c * grad;
                    ad[ao + i] = ga;
                    avg = (float) Math.sqrt(sq + -1f * ga * ga) + e;
                } else {
                    avg = (float) Math.sqrt(sq) + e;
                }
                if (bd != null) {
                    float b = bd[bo + i] * mom + grad / avg;
                    bd[bo + i] = b;
                    pd[po + i] = pd[po + i] + negLr * b;
                } else {
                    pd[po + i] = pd[po + i] + negLr * (grad / avg);
                }
            }
        });
    }

    /** The plain loop for {@link #rmsprop}. */
    public static void referenceRmsprop(Tensor p, Tensor g, Tensor squareAvg, Tensor gradAvg, Tensor buf, double lr,
            double alpha, double eps, double weightDecay, double momentum) {
        for (int i = 0; i < p.size(); i++) {
            float grad = g.at(i);
            if (weightDecay != 0) grad = grad + (float) weightDecay * p.at(i);
            float sq = squareAvg.at(i) * (float) alpha + (float) (1 - alpha) * grad * grad;
            squareAvg.data()[squareAvg.offset() + i] = sq;
            float avg;
            if (gradAvg != null) {
                float ga = gradAvg.at(i) * (float) alpha + (float) (1 - alpha) * grad;
                gradAvg.data()[gradAvg.offset() + i] = ga;
                avg = (float) Math.sqrt(sq + -1f * ga * ga) + (float) eps;
            } else {
                avg = (float) Math.sqrt(sq) + (float) eps;
            }
            float step;
            if (buf != null) {
                step = buf.at(i) * (float) momentum + grad / avg;
                buf.data()[buf.offset() + i] = step;
            } else {
                step = grad / avg;
            }
            p.data()[p.offset() + i] = p.at(i) + (float) -lr * step;
        }
    }

    /** The sum of squares of the elements, in double: fixed blocks, combined in block order. */
    public static double sumOfSquares(Tensor t) {
        float[] d = t.data();
        int o = t.offset(), n = t.size(), blocks = (n + SUM_BLOCK - 1) / SUM_BLOCK;
        double[] partial = new double[blocks];
        Parallel.forEach(blocks, b -> {
            double s = 0;
            for (int i = b * SUM_BLOCK, end = Math.min(n, (b + 1) * SUM_BLOCK); i < end; i++) {
                double v = d[o + i];
                s += v * v;
            }
            partial[b] = s;
        });
        double s = 0;
        for (double p : partial) s += p;
        return s;
    }

    /** The plain loop for {@link #sumOfSquares}: one running double sum. */
    public static double referenceSumOfSquares(Tensor t) {
        double s = 0;
        for (int i = 0; i < t.size(); i++) s += (double) t.at(i) * t.at(i);
        return s;
    }

    /** t *= factor, in place. */
    public static void scale(Tensor t, float factor) {
        float[] d = t.data();
        int o = t.offset();
        Elementwise.forRange(t.size(), (from, to) -> {
            for (int i = from; i < to; i++) d[o + i] *= factor;
        });
    }

    /** Clamps every element into [-limit, limit], in place ({@code torch.nn.utils.clip_grad_value_}). */
    public static void clamp(Tensor t, float limit) {
        float[] d = t.data();
        int o = t.offset();
        Elementwise.forRange(t.size(), (from, to) -> {
            for (int i = from; i < to; i++) d[o + i] = Math.min(limit, Math.max(-limit, d[o + i]));
        });
    }

    /** The flat index of the first NaN or infinite element, or -1. */
    public static int firstNonFinite(Tensor t) {
        for (int i = 0; i < t.size(); i++) if (!Float.isFinite(t.at(i))) return i;
        return -1;
    }
}
