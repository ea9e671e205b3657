package org.conv4j.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Concatenation along the channel axis 1, as {@code torch.cat(xs, dim=1)}: GoogLeNet's inception
 * block joins its branches this way (SPEC 4, "GoogLeNet").
 *
 * <p>Inputs (N, C_i, H, W) (any rank >= 2; every dimension but axis 1 equal) give an output
 * (N, C_0 + C_1 + ... + C_(k-1), H, W), input i occupying channels
 * {@code [C_0 + ... + C_(i-1), C_0 + ... + C_i)}. Backward cuts dy back into those channel
 * ranges: {@code dx_i = dy[:, offset_i : offset_i + C_i]}. No parameters.
 */
public final class Concat implements Merge {
    private Shape[] savedShapes;

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Check.arg(inputs.size() >= 2, "Concat", "expected two or more inputs, got %d", inputs.size());
        Shape first = inputs.get(0);
        Check.arg(first.rank() >= 2, "Concat", "expected inputs of rank >= 2 (N, C, ...) to join along axis 1, got shape %s", first);
        int channels = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Shape s = inputs.get(i);
            boolean ok = s.rank() == first.rank();
            for (int d = 0; ok && d < s.rank(); d++) ok = d == 1 || s.dim(d) == first.dim(d);
            Check.arg(ok, "Concat", "input %d has shape %s, expected %s with any channel count (every dimension but axis 1 "
                    + "must match input 0's shape %s)", i, s, pattern(first), first);
            channels += s.dim(1);
        }
        return first.withDim(1, channels);
    }

    /** The shape with the channel axis as '*', for messages: [2, *, 5, 5]. */
    private static String pattern(Shape s) {
        String[] d = new String[s.rank()];
        for (int i = 0; i < d.length; i++) d[i] = i == 1 ? "*" : Integer.toString(s.dim(i));
        return "[" + String.join(", ", d) + "]";
    }

    // x_i is (N, C_i, H, W); y is (N, sum C_i, H, W)
    @Override
    public Tensor forward(List<Tensor> inputs, Mode mode) {
        Shape[] shapes = new Shape[inputs.size()];
        for (int i = 0; i < shapes.length; i++) shapes[i] = inputs.get(i).shape();
        Shape out = outputShape(Arrays.asList(shapes));
        Tensor y = Tensor.zeros(out);
        int n = out.dim(0), item = out.sizeFrom(1);
        float[] yd = y.data();
        int at = 0; // start of input i's channel block within one output item
        for (Tensor x : inputs) {
            int inner = x.shape().sizeFrom(1);
            for (int b = 0; b < n; b++) System.arraycopy(x.data(), x.offset() + b * inner, yd, b * item + at, inner);
            at += inner;
        }
        if (mode == Mode.TRAIN) savedShapes = shapes;
        return y;
    }

    // dy is (N, sum C_i, H, W); dx_i is (N, C_i, H, W), the channels input i filled
    @Override
    public List<Tensor> backward(Tensor dy) {
        Check.saved(savedShapes, "Concat");
        Check.sameShape(dy, outputShape(Arrays.asList(savedShapes)), "Concat");
        int n = dy.dim(0), item = dy.shape().sizeFrom(1);
        List<Tensor> dxs = new ArrayList<>(savedShapes.length);
        int at = 0;
        for (Shape s : savedShapes) {
            Tensor dx = Tensor.zeros(s);
            int inner = s.sizeFrom(1);
            for (int b = 0; b < n; b++) System.arraycopy(dy.data(), dy.offset() + b * item + at, dx.data(), b * inner, inner);
            at += inner;
            dxs.add(dx);
        }
        return dxs;
    }

    @Override
    public String toString() {
        return "Concat()";
    }
}
