package org.conv4j.kernel;

import org.conv4j.tensor.Tensor;

/**
 * 3-D convolution (cross-correlation) with zero padding, grouped: x (N, C, D, H, W), weight
 * (OC, C/groups, KD, KH, KW), bias (OC) or null, y (N, OC, OD, OH, OW). Each image's receptive
 * fields become the columns of a matrix (vol2col, the 3-D im2col), so the convolution is one
 * {@link Gemm} per image and group; the input gradient is W^T dy put back by col2vol, the weight
 * gradient dy col^T summed image after image (a fixed order: the result does not depend on the
 * thread count). Images run in parallel where they are independent (forward, dx).
 */
public final class VolumeConv {
    private VolumeConv() {
    }

    /** Fills col[channels*KD*KH*KW, OD*OH*OW] from channels [c0, c0+channels) of the image at x[xo]; zeros in the padding. */
    static void vol2col(VolumeGeometry g, float[] x, int xo, int c0, int channels, float[] col) {
        int ov = g.outVolume(), row = 0;
        for (int ci = 0; ci < channels; ci++) {
            int plane = xo + (c0 + ci) * g.inVolume();
            for (int a = 0; a < g.kd(); a++) {
                for (int b = 0; b < g.kh(); b++) {
                    for (int e = 0; e < g.kw(); e++, row++) {
                        int at = row * ov;
                        for (int oz = 0; oz < g.od(); oz++) {
                            int iz = oz * g.sd() - g.pd() + a * g.dd();
                            for (int oy = 0; oy < g.oh(); oy++) {
                                int iy = oy * g.sh() - g.ph() + b * g.dh();
                                boolean rowInside = iz >= 0 && iz < g.d() && iy >= 0 && iy < g.h();
                                int src = plane + (iz * g.h() + iy) * g.w();
                                for (int ox = 0; ox < g.ow(); ox++, at++) {
                                    int ix = ox * g.sw() - g.pw() + e * g.dw();
                                    col[at] = rowInside && ix >= 0 && ix < g.w() ? x[src + ix] : 0f;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #vol2col}: adds each column entry to the input position it was read from. */
    static void col2vol(VolumeGeometry g, float[] col, float[] dx, int dxo, int c0, int channels) {
        int ov = g.outVolume(), row = 0;
        for (int ci = 0; ci < channels; ci++) {
            int plane = dxo + (c0 + ci) * g.inVolume();
            for (int a = 0; a < g.kd(); a++) {
                for (int b = 0; b < g.kh(); b++) {
                    for (int e = 0; e < g.kw(); e++, row++) {
                        int at = row * ov;
                        for (int oz = 0; oz < g.od(); oz++) {
                            int iz = oz * g.sd() - g.pd() + a * g.dd();
                            for (int oy = 0; oy < g.oh(); oy++, at += g.ow()) {
                                int iy = oy * g.sh() - g.ph() + b * g.dh();
                                if (iz < 0 || iz >= g.d() || iy < 0 || iy >= g.h()) continue;
                                int dst = plane + (iz * g.h() + iy) * g.w();
                                for (int ox = 0; ox < g.ow(); ox++) {
                                    int ix = ox * g.sw() - g.pw() + e * g.dw();
                                    if (ix >= 0 && ix < g.w()) dx[dst + ix] += col[at + ox];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // y_g (OCg, OV) = W_g (OCg, K) x col (K, OV), image by image in parallel, then the bias
    public static void forward(VolumeGeometry g, int groups, Tensor x, Tensor weight, Tensor bias, Tensor y) {
        int n = x.dim(0), oc = weight.dim(0), cg = g.c() / groups, ocg = oc / groups;
        int k = cg * g.taps(), ov = g.outVolume(), inSize = g.c() * g.inVolume();
        Parallel.forEach(n, i -> {
            float[] col = new float[k * ov];
            int yo = y.offset() + i * oc * ov;
            for (int grp = 0; grp < groups; grp++) {
                vol2col(g, x.data(), x.offset() + i * inSize, grp * cg, cg, col);
                Gemm.gemm(false, false, ocg, ov, k, weight.data(), weight.offset() + grp * ocg * k, k, col, 0, ov,
                        y.data(), yo + grp * ocg * ov, ov, false);
            }
            if (bias != null) {
                for (int o = 0; o < oc; o++) {
                    float b = bias.at(o);
                    for (int j = yo + o * ov, end = j + ov; j < end; j++) y.data()[j] += b;
                }
            }
        });
    }

    /** Gradients of {@link #forward}: dx (overwritten; null to skip), dweight and dbias (added to; dbias may be null). */
    public static void backward(VolumeGeometry g, int groups, Tensor x, Tensor weight, Tensor dy,
                                Tensor dx, Tensor dweight, Tensor dbias) {
        int n = x.dim(0), oc = weight.dim(0), cg = g.c() / groups, ocg = oc / groups;
        int k = cg * g.taps(), ov = g.outVolume(), inSize = g.c() * g.inVolume();
        if (dx != null) {
            // dcol = W_g^T (K, OCg) x dy_g (OCg, OV), put back by col2vol
            Parallel.forEach(n, i -> {
                float[] col = new float[k * ov];
                int dxo = dx.offset() + i * inSize;
                java.util.Arrays.fill(dx.data(), dxo, dxo + inSize, 0f);
                for (int grp = 0; grp < groups; grp++) {
                    Gemm.gemm(true, false, k, ov, ocg, weight.data(), weight.offset() + grp * ocg * k, k,
                            dy.data(), dy.offset() + (i * oc + grp * ocg) * ov, ov, col, 0, ov, false);
                    col2vol(g, col, dx.data(), dxo, grp * cg, cg);
                }
            });
        }
        // dW_g += dy_g (OCg, OV) x col^T (OV, K), image after image
        float[] col = new float[k * ov];
        for (int i = 0; i < n; i++) {
            for (int grp = 0; grp < groups; grp++) {
                vol2col(g, x.data(), x.offset() + i * inSize, grp * cg, cg, col);
                Gemm.gemm(false, true, ocg, k, ov, dy.data(), dy.offset() + (i * oc + grp * ocg) * ov, ov, col, 0, ov,
                        dweight.data(), dweight.offset() + grp * ocg * k, k, true);
            }
        }
        if (dbias != null) {
            Parallel.forEach(oc, o -> {
                double s = 0;
                for (int i = 0; i < n; i++) s += Normalization.rowSum(dy.data(), dy.offset() + (i * oc + o) * ov, ov);
                dbias.data()[dbias.offset() + o] += (float) s;
            });
        }
    }
}
