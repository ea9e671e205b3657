package org.conv4j.nn;

import java.util.Objects;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.conv4j.kernel.DropoutKernel;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Dropout (SPEC 1 "Dropout", 004, 002): in {@link Mode#TRAIN} each element is zeroed
 * independently with probability {@code p}. Note: {@code p} is the DROP probability (as in
 * PyTorch and Paddle), not the keep rate; default 0.5, valid in [0, 1).
 *
 * <p>Two scalings keep training and evaluation consistent ({@link Scaling}):
 * <ul>
 *   <li>{@link Scaling#UPSCALE_IN_TRAIN} (default, PyTorch's only mode): training gives
 *       {@code y = x * m / (1 - p)} with {@code m ~ Bernoulli(1 - p)}, so {@code E[y] = x};
 *       evaluation is the identity.</li>
 *   <li>{@link Scaling#DOWNSCALE_IN_INFER} (002's and Paddle's other mode): training gives
 *       {@code y = x * m}; evaluation gives {@code y = x * (1 - p)}, the training expectation.</li>
 * </ul>
 * Backward applies the saved mask and scale: {@code dx = dy * m / (1 - p)} or {@code dy * m}.
 *
 * <p>Every TRAIN forward draws a new mask from this layer's own generator: split from
 * {@link Init}'s at construction (so {@code Init.seed} makes runs repeatable), or set with
 * {@link #seed(long)}. The mask does not depend on the thread count ({@link DropoutKernel}).
 * Any input shape. EVAL in upscale mode returns the input itself.
 */
public final class Dropout implements Layer {
    private final Buffers buffers = new Buffers(2);   // [0] the TRAIN output, [1] dL/dx
    /** How dropout compensates for the dropped fraction; the names are Paddle's. */
    public enum Scaling {
        /** Train: kept values divided by (1 - p). Eval: identity. */
        UPSCALE_IN_TRAIN,
        /** Train: only drop. Eval: multiply by (1 - p). */
        DOWNSCALE_IN_INFER
    }

    private static final double DEFAULT_P = 0.5;
    private final double p;
    private Scaling scaling = Scaling.UPSCALE_IN_TRAIN;
    private Long seed;
    private SplittableRandom generator = Init.nextGenerator();

    private float[] maskBuffer = new float[0];
    private Tensor savedMask;

    /** Drop probability 0.5. */
    public Dropout() {
        this(DEFAULT_P);
    }

    /** @param p the probability of DROPPING each element, in [0, 1) */
    public Dropout(double p) {
        Check.arg(p >= 0 && p < 1, "Dropout", "p is the drop probability and must be in [0, 1), got %s", p);
        this.p = p;
    }

    public Dropout scaling(Scaling s) {
        scaling = Objects.requireNonNull(s, "Dropout: scaling");
        return this;
    }

    /** Restarts this layer's generator from {@code seed}: the same seed gives the same sequence of masks. */
    public Dropout seed(long s) {
        seed = s;
        generator = new SplittableRandom(s);
        return this;
    }

    /** The drop probability. */
    public double p() {
        return p;
    }

    public Scaling scaling() {
        return scaling;
    }

    /** The last seed given to {@link #seed(long)}, or empty when the generator came from {@link Init}. */
    public OptionalLong seed() {
        return seed == null ? OptionalLong.empty() : OptionalLong.of(seed);
    }

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    // x is any shape, y has the same shape
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        if (mode == Mode.EVAL) {
            if (scaling == Scaling.UPSCALE_IN_TRAIN) return x;
            Tensor y = buffers.get(0, x.shape());
            DropoutKernel.scale(x, (float) (1 - p), y);
            return y;
        }
        int size = x.size();
        // reuse the mask storage between steps (DESIGN "Layers")
        if (maskBuffer.length < size) maskBuffer = new float[size];
        float keep = scaling == Scaling.UPSCALE_IN_TRAIN ? (float) (1 / (1 - p)) : 1f;
        DropoutKernel.mask(generator, p, keep, maskBuffer, size);
        Tensor mask = Tensor.view(maskBuffer, 0, x.shape());
        Tensor y = buffers.get(0, x.shape());
        DropoutKernel.multiply(x, mask, y);
        savedMask = mask;
        return y;
    }

    // dx = dy * mask, the mask holding 0 or the keep scale (SPEC 1)
    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedMask, "Dropout");
        Check.sameShape(dy, savedMask.shape(), "Dropout");
        Tensor dx = buffers.get(1, dy.shape());
        DropoutKernel.multiply(dy, savedMask, dx);
        return dx;
    }

    @Override
    public void reuseBuffers(boolean on) {
        buffers.reuse(on);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Dropout(");
        if (p != DEFAULT_P) sb.append("p=").append(p);
        if (scaling != Scaling.UPSCALE_IN_TRAIN) sb.append(p != DEFAULT_P ? ", " : "").append("scaling=").append(scaling.name().toLowerCase());
        return sb.append(')').toString();
    }
}
