package org.conv4j.nn;

import org.conv4j.kernel.Activations;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Maxout (Goodfellow et al. 2013; SPEC 1 "Activations", 001's advice list): the maximum over
 * groups of {@code pieces} consecutive channels,
 * <pre>
 *   y[n, g, ...] = max_{k &lt; pieces} x[n, g * pieces + k, ...]
 * </pre>
 * so (N, C, ...) becomes (N, C / pieces, ...); C must be divisible by {@code pieces}. Any rank
 * {@code >= 2}: (N, C) after a Linear or (N, C, H, W) after a Conv2d. Backward routes each gradient to
 * the arg-max channel of its group (the first maximum on ties), as max pooling does.
 */
public final class Maxout implements Layer {
    private final int pieces;
    private Shape savedInputShape;
    private int[] savedArgmax;

    public Maxout(int pieces) {
        Check.positive(pieces, "Maxout", "pieces");
        this.pieces = pieces;
    }

    public int pieces() {
        return pieces;
    }

    @Override
    public Shape outputShape(Shape input) {
        Check.arg(input.rank() >= 2, "Maxout", "expected an input of rank >= 2 (N, C, ...), got shape %s", input);
        Check.arg(input.dim(1) % pieces == 0, "Maxout",
                "channels (%d) must be divisible by pieces (%d), got input shape %s", input.dim(1), pieces, input);
        return input.withDim(1, input.dim(1) / pieces);
    }

    // x is (N, C, ...), y is (N, C/pieces, ...)
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Shape out = outputShape(x.shape());
        Tensor y = Tensor.zeros(out);
        int n = x.dim(0), groups = out.dim(1), plane = x.shape().sizeFrom(2);
        int[] argmax = null;
        if (mode == Mode.TRAIN) {
            // reuse the arg-max buffer between steps (DESIGN "Layers")
            argmax = savedArgmax != null && savedArgmax.length == out.size() ? savedArgmax : new int[out.size()];
        }
        Activations.maxout(x, n, groups, pieces, plane, y, argmax);
        if (mode == Mode.TRAIN) {
            savedArgmax = argmax;
            savedInputShape = x.shape();
        }
        return y;
    }

    // dy is (N, C/pieces, ...); dx (N, C, ...) is dy at each group's arg-max channel, 0 elsewhere
    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedInputShape, "Maxout");
        Shape in = savedInputShape;
        Check.sameShape(dy, outputShape(in), "Maxout");
        Tensor dx = Tensor.zeros(in);
        Activations.maxoutBackward(savedArgmax, in.dim(0), in.dim(1) / pieces, pieces, in.sizeFrom(2), dy, dx);
        return dx;
    }

    @Override
    public String toString() {
        return "Maxout(pieces=" + pieces + ")";
    }
}
