package org.conv4j.nn;

import java.util.Locale;
import org.conv4j.kernel.Interpolate;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Resizes (N, C, H, W) maps, as PyTorch's {@code nn.Upsample} / {@code F.interpolate}: to a
 * fixed {@link #size(int, int) size}, or by a {@link #scaleFactor(double, double) scale factor}
 * (output {@code floor(H * factor)}, and the factor itself, not the ratio of the sizes, places the
 * samples, as PyTorch without {@code recompute_scale_factor}). No parameters.
 *
 * <p>{@link Interpolation#NEAREST} copies {@code x[min(floor(dst * scale), H - 1)]} (PyTorch's
 * "nearest", scale = 1/factor or H/OH). {@link Interpolation#BILINEAR} weighs the four nearest
 * inputs; with {@link #alignCorners(boolean) align_corners} the corner pixels' centres align
 * ({@code src = dst * (H - 1)/(OH - 1)}), without it (the default) the pixel areas do
 * ({@code src = (dst + 0.5) * scale - 0.5}, clamped at 0). align_corners is an error with nearest,
 * as in PyTorch. Backward adds each gradient back to the inputs it was read from, with the same weights.
 */
public final class Upsample implements Layer {
    private static final String NAME = "Upsample";

    /** How an output value is computed from the input. */
    public enum Interpolation { NEAREST, BILINEAR }

    private final Buffers buffers = new Buffers(2);   // [0] the TRAIN output, [1] dL/dx
    private int sizeH, sizeW;                         // 0: not given
    private double scaleH, scaleW;                    // 0: not given
    private Interpolation interpolation = Interpolation.NEAREST;
    private boolean alignCorners;

    private Shape savedInputShape;
    private Interpolate.Axis savedRows, savedCols;

    /** Nearest-neighbour upsampling by an integer or fractional factor on both axes. */
    public Upsample(double scaleFactor) {
        scaleFactor(scaleFactor, scaleFactor);
    }

    /** To a fixed output size, nearest neighbour. */
    public Upsample(int height, int width) {
        size(height, width);
    }

    /** Scale factors per axis; replaces a size. */
    public Upsample scaleFactor(double sh, double sw) {
        Check.arg(sh > 0 && sw > 0 && Double.isFinite(sh) && Double.isFinite(sw), NAME,
                "scale_factor must be positive and finite, got %s x %s", sh, sw);
        scaleH = sh;
        scaleW = sw;
        sizeH = sizeW = 0;
        return this;
    }

    /** A fixed output size; replaces a scale factor. */
    public Upsample size(int height, int width) {
        Check.positive(height, NAME, "size");
        Check.positive(width, NAME, "size");
        sizeH = height;
        sizeW = width;
        scaleH = scaleW = 0;
        return this;
    }

    public Upsample interpolation(Interpolation i) {
        interpolation = java.util.Objects.requireNonNull(i, "interpolation");
        return this;
    }

    /** PyTorch's mode by name: "nearest" or "bilinear". */
    public Upsample mode(String name) {
        for (Interpolation i : Interpolation.values()) {
            if (i.name().toLowerCase(Locale.ROOT).equals(name)) return interpolation(i);
        }
        throw new IllegalArgumentException(NAME + ": mode must be 'nearest' or 'bilinear', got '" + name + "'");
    }

    /** Bilinear only: align the corner pixels' centres instead of the pixel areas (default false). */
    public Upsample alignCorners(boolean on) {
        alignCorners = on;
        return this;
    }

    public Interpolation interpolation() { return interpolation; }
    public boolean alignCorners() { return alignCorners; }
    /** The output size {height, width}, or null when a scale factor is given. */
    public int[] size() { return sizeH == 0 ? null : new int[] {sizeH, sizeW}; }
    /** The scale factors {height, width}, or null when a size is given. */
    public double[] scaleFactor() { return sizeH == 0 ? new double[] {scaleH, scaleW} : null; }

    @Override
    public Shape outputShape(Shape in) {
        Check.rank(in, 4, NAME, "(N, C, H, W)");
        Check.arg(!alignCorners || interpolation == Interpolation.BILINEAR, NAME,
                "align_corners can only be set with bilinear interpolation, not %s", interpolation.name().toLowerCase(Locale.ROOT));
        if (sizeH != 0) return Shape.of(in.dim(0), in.dim(1), sizeH, sizeW);
        double oh = Math.floor(in.dim(2) * scaleH), ow = Math.floor(in.dim(3) * scaleW);
        Check.arg(oh >= 1 && ow >= 1, NAME, "scale_factor %s x %s gives an empty output for input %s", scaleH, scaleW, in);
        Check.arg(in.dim(0) * (double) in.dim(1) * oh * ow <= Integer.MAX_VALUE, NAME,
                "scale_factor %s x %s gives an output too large for input %s", scaleH, scaleW, in);
        return Shape.of(in.dim(0), in.dim(1), (int) oh, (int) ow);
    }

    private Interpolate.Axis axis(int in, int out, double scale) {
        return interpolation == Interpolation.NEAREST ? Interpolate.nearest(in, out, scale) : Interpolate.linear(in, out, scale, alignCorners);
    }

    // x is (N, C, H, W), y is (N, C, OH, OW)
    @Override
    public Tensor forward(Tensor x, Mode mode) {
        Shape out = outputShape(x.shape());
        Interpolate.Axis rows = axis(x.dim(2), out.dim(2), scaleH), cols = axis(x.dim(3), out.dim(3), scaleW);
        Tensor y = buffers.get(0, out);
        Interpolate.forward(x, rows, cols, y);
        if (mode == Mode.TRAIN) {
            savedInputShape = x.shape();
            savedRows = rows;
            savedCols = cols;
        }
        return y;
    }

    // dy is (N, C, OH, OW); returns dx (N, C, H, W)
    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedInputShape, NAME);
        Check.sameShape(dy, Shape.of(savedInputShape.dim(0), savedInputShape.dim(1), savedRows.i0().length, savedCols.i0().length), NAME);
        Tensor dx = buffers.get(1, savedInputShape);
        Interpolate.backward(dy, savedRows, savedCols, dx);
        return dx;
    }

    @Override
    public void reuseBuffers(boolean on) {
        buffers.reuse(on);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(NAME + "(");
        if (sizeH != 0) sb.append("size=").append(MaxPool2d.pair(sizeH, sizeW));
        else sb.append("scale_factor=").append(scaleH == scaleW ? "" + scaleH : "(" + scaleH + ", " + scaleW + ")");
        sb.append(", mode=").append(interpolation.name().toLowerCase(Locale.ROOT));
        if (alignCorners) sb.append(", align_corners=true");
        return sb.append(')').toString();
    }
}
