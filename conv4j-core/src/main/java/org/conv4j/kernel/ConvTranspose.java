package org.conv4j.kernel;

import org.conv4j.tensor.Tensor;

/**
 * 2-D transposed convolution, the adjoint of {@link Conv}: x (N, IC, H, W), weight
 * (IC, OC/groups, KH, KW) as PyTorch lays it out, bias (OC) or null, y (N, OC, OH, OW).
 *
 * <p>{@code g} is the geometry of the convolution being transposed: it reads a map of y's size
 * ({@code g.c = OC}, {@code g.h x g.w = OH x OW}) and writes one of x's ({@code g.oh x g.ow =
 * H x W}) with the same weight, read as (IC, OC/groups, KH, KW) = (its out, in/groups, KH, KW).
 * So this forward is that convolution's input gradient (W^T x, then col2im), and this backward
 * is its forward (dx) and its weight gradient (dW), both taken from {@link Conv} as they are.
 */
public final class ConvTranspose {
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    private ConvTranspose() {
    }

    /** y = W^T x scattered by col2im, plus the bias; parallel over the images. */
    public static void forward(ConvGeometry g, int groups, Tensor x, Tensor weight, Tensor bias, Tensor y) {
        int n = x.dim(0), ic = weight.dim(0), icg = ic / groups, cg = g.c / groups;
        int k = g.colRows(cg), inPlane = g.outPlane(), outPlane = g.h * g.w, inSize = ic * inPlane, outSize = g.c * outPlane;
        float[] xd = x.data(), wd = weight.data(), yd = y.data();
        Parallel.forEach(n, i -> {
            int yo = y.offset() + i * outSize;
            java.util.Arrays.fill(yd, yo, yo + outSize, 0f);
            float[] col = SCRATCH.get();
            if (col.length < k * inPlane) {
                col = new float[k * inPlane];
                SCRATCH.set(col);
            }
            for (int grp = 0; grp < groups; grp++) {
                // col (K, H*W) = W_g^T (K, ICg) x x_g (ICg, H*W)
                Gemm.gemm(true, false, k, inPlane, icg, wd, weight.offset() + grp * icg * k, k,
                        xd, x.offset() + i * inSize + grp * icg * inPlane, inPlane, col, 0, inPlane, false);
                Im2col.col2im(g, col, yd, yo, grp * cg, cg);
            }
            if (bias != null) {
                for (int o = 0; o < g.c; o++) {
                    float b = bias.at(o);
                    for (int j = yo + o * outPlane, end = j + outPlane; j < end; j++) yd[j] += b;
                }
            }
        });
    }

    /**
     * Whether the convolution's own output size is x's. With an output_padding of at least the
     * stride (allowed below the dilation) the map of y's size holds one more row or column of
     * windows than x has; {@link Conv}'s fast paths would compute it, so such layers take
     * {@link #backwardByColumns}, which reads only the geometry's rows and columns.
     */
    private static boolean natural(ConvGeometry g) {
        return ConvGeometry.outSize(g.h, g.kh, g.sh, g.dh, g.pt + g.pb, false) == g.oh
                && ConvGeometry.outSize(g.w, g.kw, g.sw, g.dw, g.pl + g.pr, false) == g.ow;
    }

    // per image and group: col = im2col(dy); dx_g = W_g col; dW_g += x_g col^T (images in order)
    private static void backwardByColumns(ConvGeometry g, int groups, Tensor x, Tensor weight, Tensor dy, Tensor dx, Tensor dweight) {
        int n = x.dim(0), ic = weight.dim(0), icg = ic / groups, cg = g.c / groups;
        int k = g.colRows(cg), hw = g.outPlane(), inSize = ic * hw, outSize = g.c * g.h * g.w;
        float[] col = new float[k * hw];
        for (int i = 0; i < n; i++) {
            for (int grp = 0; grp < groups; grp++) {
                int xo = i * inSize + grp * icg * hw, wo = weight.offset() + grp * icg * k;
                Im2col.im2col(g, dy.data(), dy.offset() + i * outSize, grp * cg, cg, col);
                if (dx != null) Gemm.gemm(false, false, icg, hw, k, weight.data(), wo, k, col, 0, hw, dx.data(), dx.offset() + xo, hw, false);
                Gemm.gemm(false, true, icg, k, hw, x.data(), x.offset() + xo, hw, col, 0, hw,
                        dweight.data(), dweight.offset() + grp * icg * k, k, true);
            }
        }
    }

    /** Floats of workspace {@link #backward} needs for a batch of n and a weight of wSize. */
    public static int workspaceSize(ConvGeometry g, int n, int wSize) {
        return Conv.workspaceSize(n, g.outPlane(), wSize);
    }

    /**
     * Gradients of {@link #forward}: dx (overwritten; null to skip) is the convolution of dy,
     * dweight is that convolution's weight gradient with x as its output gradient (added to),
     * dbias (added to; may be null) is dy summed per channel.
     */
    public static void backward(ConvGeometry g, int groups, Tensor x, Tensor weight, Tensor dy,
                                Tensor dx, Tensor dweight, Tensor dbias, float[] workspace) {
        if (natural(g)) {
            if (dx != null) Conv.forward(g, groups, dy, weight, null, dx);
            Conv.backward(g, groups, dy, weight, x, null, dweight, null, workspace);
        } else {
            backwardByColumns(g, groups, x, weight, dy, dx, dweight);
        }
        if (dbias != null) {
            int n = dy.dim(0), plane = g.h * g.w;
            Parallel.forEach(g.c, o -> {
                double s = 0;
                for (int i = 0; i < n; i++) s += Normalization.rowSum(dy.data(), dy.offset() + (i * g.c + o) * plane, plane);
                dbias.data()[dbias.offset() + o] += (float) s;
            });
        }
    }
}
