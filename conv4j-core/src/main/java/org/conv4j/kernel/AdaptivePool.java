package org.conv4j.kernel;

import java.util.Arrays;
import org.conv4j.tensor.Tensor;

/**
 * Adaptive average and max pooling, PyTorch's {@code adaptive_avg_pool2d} and
 * {@code adaptive_max_pool2d}: x is (N, C, H, W), y is (N, C, OH, OW), and output row {@code i}
 * pools input rows {@code [floor(i*H/OH), ceil((i+1)*H/OH))} (columns likewise). Windows may
 * overlap and differ in size when H is not a multiple of OH; none is empty for H >= 1, and OH > H
 * repeats rows.
 *
 * <p>Average divides the window's sum (row by row) by its size; backward adds dy / size to every
 * element of the window. Max keeps the first maximal element in row order, a NaN wins (as
 * PyTorch's {@code val > max || isnan(val)}), records its flat index {@code iy*W + ix} in the
 * plane, and backward adds each dy there. Work is split over fixed blocks of planes.
 */
public final class AdaptivePool {
    /** Roughly this many window reads per parallel task; blocks depend only on the sizes. */
    private static final int TASK_WORK = 1 << 15;

    private AdaptivePool() {
    }

    /** First input index of output {@code i}'s window: floor(i * in / out). */
    public static int start(int i, int in, int out) {
        return (int) ((long) i * in / out);
    }

    /** One past the last input index of output {@code i}'s window: ceil((i + 1) * in / out). */
    public static int end(int i, int in, int out) {
        return (int) (((long) (i + 1) * in + out - 1) / out);
    }

    /** The largest window size over outputs of a dimension of {@code in} pooled to {@code out}. */
    public static int maxWindow(int in, int out) {
        int k = 0;
        for (int i = 0; i < out; i++) k = Math.max(k, end(i, in, out) - start(i, in, out));
        return k;
    }

    // starts[i], ends[i] of every output index, so the loops below do no divisions
    private static int[][] ranges(int in, int out) {
        int[][] r = new int[2][out];
        for (int i = 0; i < out; i++) {
            r[0][i] = start(i, in, out);
            r[1][i] = end(i, in, out);
        }
        return r;
    }

    private static int planesPerTask(int h, int w, int oh, int ow) {
        long work = (long) h * w + (long) oh * ow * (maxWindow(h, oh) * (long) maxWindow(w, ow));
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TASK_WORK / Math.max(1, work)));
    }

    /** y = mean over each window. */
    public static void avgForward(Tensor x, Tensor y) {
        int h = x.dim(2), w = x.dim(3), oh = y.dim(2), ow = y.dim(3);
        int planes = x.dim(0) * x.dim(1), hw = h * w, ohw = oh * ow;
        int[][] ry = ranges(h, oh), rx = ranges(w, ow);
        float[] xd = x.data(), yd = y.data();
        int xo0 = x.offset(), yo0 = y.offset();
        Pool.forPlanes(planes, planesPerTask(h, w, oh, ow), (from, to) -> {
            for (int p = from; p < to; p++) {
                int xo = xo0 + p * hw, yo = yo0 + p * ohw;
                for (int oy = 0; oy < oh; oy++) {
                    int iy0 = ry[0][oy], iy1 = ry[1][oy];
                    for (int ox = 0; ox < ow; ox++) {
                        int ix0 = rx[0][ox], ix1 = rx[1][ox];
                        float s = 0;
                        for (int iy = iy0; iy < iy1; iy++) {
                            int row = xo + iy * w;
                            for (int ix = ix0; ix < ix1; ix++) s += xd[row + ix];
                        }
                        yd[yo + oy * ow + ox] = s / ((iy1 - iy0) * (ix1 - ix0));
                    }
                }
            }
        });
    }

    /** dx (overwritten) = the sum over the windows covering each element of dy / window size. */
    public static void avgBackward(Tensor dy, Tensor dx) {
        int h = dx.dim(2), w = dx.dim(3), oh = dy.dim(2), ow = dy.dim(3);
        int planes = dx.dim(0) * dx.dim(1), hw = h * w, ohw = oh * ow;
        int[][] ry = ranges(h, oh), rx = ranges(w, ow);
        float[] dyd = dy.data(), dxd = dx.data();
        int dyo0 = dy.offset(), dxo0 = dx.offset();
        Pool.forPlanes(planes, planesPerTask(h, w, oh, ow), (from, to) -> {
            for (int p = from; p < to; p++) {
                int dxo = dxo0 + p * hw, dyo = dyo0 + p * ohw;
                Arrays.fill(dxd, dxo, dxo + hw, 0f);
                for (int oy = 0; oy < oh; oy++) {
                    int iy0 = ry[0][oy], iy1 = ry[1][oy];
                    for (int ox = 0; ox < ow; ox++) {
                        int ix0 = rx[0][ox], ix1 = rx[1][ox];
                        float d = dyd[dyo + oy * ow + ox] / ((iy1 - iy0) * (ix1 - ix0));
                        for (int iy = iy0; iy < iy1; iy++) {
                            int row = dxo + iy * w;
                            for (int ix = ix0; ix < ix1; ix++) dxd[row + ix] += d;
                        }
                    }
                }
            }
        });
    }

    /** y = max over each window; {@code argmax} (N*C*OH*OW ints, or null) receives iy*W + ix. */
    public static void maxForward(Tensor x, Tensor y, int[] argmax) {
        int h = x.dim(2), w = x.dim(3), oh = y.dim(2), ow = y.dim(3);
        int planes = x.dim(0) * x.dim(1), hw = h * w, ohw = oh * ow;
        int[][] ry = ranges(h, oh), rx = ranges(w, ow);
        float[] xd = x.data(), yd = y.data();
        int xo0 = x.offset(), yo0 = y.offset();
        Pool.forPlanes(planes, planesPerTask(h, w, oh, ow), (from, to) -> {
            for (int p = from; p < to; p++) {
                int xo = xo0 + p * hw, yo = p * ohw;
                for (int oy = 0; oy < oh; oy++) {
                    int iy0 = ry[0][oy], iy1 = ry[1][oy];
                    for (int ox = 0; ox < ow; ox++) {
                        int ix0 = rx[0][ox], ix1 = rx[1][ox];
                        int best = iy0 * w + ix0;
                        float max = Float.NEGATIVE_INFINITY;
                        for (int iy = iy0; iy < iy1; iy++) {
                            for (int ix = ix0; ix < ix1; ix++) {
                                float v = xd[xo + iy * w + ix];
                                // strict > keeps the first maximum; v != v lets NaN through (PyTorch)
                                if (v > max || v != v) {
                                    max = v;
                                    best = iy * w + ix;
                                }
                            }
                        }
                        yd[yo0 + yo + oy * ow + ox] = max;
                        if (argmax != null) argmax[yo + oy * ow + ox] = best;
                    }
                }
            }
        });
    }

    /** dx (overwritten) = each dy added at its window's recorded arg-max. */
    public static void maxBackward(Tensor dy, int[] argmax, Tensor dx) {
        int hw = dx.dim(2) * dx.dim(3), ohw = dy.dim(2) * dy.dim(3);
        int planes = dx.dim(0) * dx.dim(1);
        float[] dyd = dy.data(), dxd = dx.data();
        int dyo0 = dy.offset(), dxo0 = dx.offset();
        Pool.forPlanes(planes, Math.max(1, TASK_WORK / Math.max(1, hw + ohw)), (from, to) -> {
            for (int p = from; p < to; p++) {
                int dxo = dxo0 + p * hw;
                Arrays.fill(dxd, dxo, dxo + hw, 0f);
                for (int o = p * ohw; o < (p + 1) * ohw; o++) dxd[dxo + argmax[o]] += dyd[dyo0 + o];
            }
        });
    }
}
