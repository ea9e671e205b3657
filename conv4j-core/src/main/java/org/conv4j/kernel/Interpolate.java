package org.conv4j.kernel;

import org.conv4j.tensor.Tensor;

/**
 * Resampling of (N, C, H, W) maps as PyTorch's {@code F.interpolate}: nearest neighbour and
 * bilinear, each axis described once by where each output index reads ({@link Axis}), then
 * applied plane by plane (parallel over the N*C planes). Backward adds each output gradient
 * back to the input positions it was read from, with the same weights.
 */
public final class Interpolate {
    private Interpolate() {
    }

    /**
     * Where each output index of one axis reads: input indices i0 and i1 with weights w0 and w1
     * ({@code y = w0 * x[i0] + w1 * x[i1]}); where {@code oneTap}, every output reads x[i0] alone
     * (nearest neighbour, or a copy), and is read without arithmetic, so infinities stay as they are.
     */
    public record Axis(int[] i0, int[] i1, float[] w0, float[] w1, boolean oneTap) {
        int size() {
            return i0.length;
        }
    }

    /**
     * PyTorch's (deprecated, default) "nearest": source = min(floor(dst * scale), in - 1) in
     * float, scale = 1/scaleFactor when a scale factor was given (> 0), else in/out (PyTorch
     * 1.13's CPU kernel: no exact copy for an output as large as the input, unlike its bilinear).
     */
    public static Axis nearest(int in, int out, double scaleFactor) {
        int[] i = new int[out];
        float scale = scaleFactor > 0 ? (float) (1.0 / scaleFactor) : (float) in / out;
        for (int d = 0; d < out; d++) i[d] = Math.min((int) Math.floor(d * scale), in - 1);
        float[] one = new float[out];
        java.util.Arrays.fill(one, 1f);
        return new Axis(i, i, one, new float[out], true);
    }

    /**
     * PyTorch's linear weights: with align_corners the corner pixels' centres align,
     * source = dst * (in - 1)/(out - 1); without, source = (dst + 0.5) * scale - 0.5 clamped at 0,
     * scale = 1/scaleFactor when given (> 0), else in/out. An output as large as the input copies.
     */
    public static Axis linear(int in, int out, double scaleFactor, boolean alignCorners) {
        int[] i0 = new int[out], i1 = new int[out];
        float[] w0 = new float[out], w1 = new float[out];
        double scale = alignCorners ? (out > 1 ? (double) (in - 1) / (out - 1) : 0) : scaleFactor > 0 ? 1.0 / scaleFactor : (double) in / out;
        for (int d = 0; d < out; d++) {
            if (out == in) {
                i0[d] = i1[d] = d;
                w0[d] = 1f;
                continue;
            }
            double src = alignCorners ? scale * d : Math.max(scale * (d + 0.5) - 0.5, 0);
            int lo = (int) src;
            double lambda = Math.min(Math.max(src - lo, 0), 1);
            i0[d] = lo;
            i1[d] = lo < in - 1 ? lo + 1 : lo;
            w1[d] = (float) lambda;
            w0[d] = (float) (1 - lambda);
        }
        return new Axis(i0, i1, w0, w1, out == in);
    }

    /** y (N, C, rows, cols) from x (N, C, H, W): each output the weighted sum of the four corners. */
    public static void forward(Tensor x, Axis rows, Axis cols, Tensor y) {
        int h = x.dim(2), w = x.dim(3), oh = rows.size(), ow = cols.size(), planes = x.dim(0) * x.dim(1);
        float[] xd = x.data(), yd = y.data();
        boolean copy = rows.oneTap && cols.oneTap;
        Parallel.forEach(planes, p -> {
            int xo = x.offset() + p * h * w, yo = y.offset() + p * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                int r0 = xo + rows.i0[oy] * w, r1 = xo + rows.i1[oy] * w, out = yo + oy * ow;
                if (copy) {
                    for (int ox = 0; ox < ow; ox++) yd[out + ox] = xd[r0 + cols.i0[ox]];
                    continue;
                }
                float a = rows.w0[oy], b = rows.w1[oy];
                for (int ox = 0; ox < ow; ox++) {
                    int c0 = cols.i0[ox], c1 = cols.i1[ox];
                    float top = cols.w0[ox] * xd[r0 + c0] + cols.w1[ox] * xd[r0 + c1];
                    float bottom = cols.w0[ox] * xd[r1 + c0] + cols.w1[ox] * xd[r1 + c1];
                    yd[out + ox] = a * top + b * bottom;
                }
            }
        });
    }

    /** dx (overwritten) from dy: the adjoint of {@link #forward}. */
    public static void backward(Tensor dy, Axis rows, Axis cols, Tensor dx) {
        int h = dx.dim(2), w = dx.dim(3), oh = rows.size(), ow = cols.size(), planes = dx.dim(0) * dx.dim(1);
        float[] dxd = dx.data(), dyd = dy.data();
        boolean copy = rows.oneTap && cols.oneTap;
        Parallel.forEach(planes, p -> {
            int xo = dx.offset() + p * h * w, yo = dy.offset() + p * oh * ow;
            java.util.Arrays.fill(dxd, xo, xo + h * w, 0f);
            for (int oy = 0; oy < oh; oy++) {
                int r0 = xo + rows.i0[oy] * w, r1 = xo + rows.i1[oy] * w, in = yo + oy * ow;
                if (copy) {
                    for (int ox = 0; ox < ow; ox++) dxd[r0 + cols.i0[ox]] += dyd[in + ox];
                    continue;
                }
                float a = rows.w0[oy], b = rows.w1[oy];
                for (int ox = 0; ox < ow; ox++) {
                    int c0 = cols.i0[ox], c1 = cols.i1[ox];
                    float g = dyd[in + ox], ga = a * g, gb = b * g;
                    dxd[r0 + c0] += cols.w0[ox] * ga;
                    dxd[r0 + c1] += cols.w1[ox] * ga;
                    dxd[r1 + c0] += cols.w0[ox] * gb;
                    dxd[r1 + c1] += cols.w1[ox] * gb;
                }
            }
        });
    }
}
