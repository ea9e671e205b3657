package org.conv4j.kernel;

import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * 2-D convolution (cross-correlation) over a batch, grouped:
 * x is (N, C, H, W), weight is (OC, C/groups, KH, KW), bias is (OC) or null, y is (N, OC, OH, OW).
 * The fast path is im2col + GEMM per group of images and channel group, parallel over the
 * batch; with SIMD, zero-padded stride-1 layers whose output rows are whole vectors or at least
 * 2/3 of the padded rows skip the im2col matrix ({@link VectorConv} reads padded copies of the
 * images), in the forward and for the input gradient (as a convolution of dy with the rotated
 * filter where dy's border of zeros is thin, else as W^T dy scattered into dx as it is stored);
 * their weight gradient skips it too where a group has 16 or more output channels. Strided
 * layers whose taps read every phase of the stride run their forward and weight gradient the
 * same way on copies split into phase planes (their input gradient: im2col, W^T dy, col2im).
 * The reference path is the direct loop nest of SPEC 1.
 */
public final class Conv {
    /** Images are processed in groups wide enough for an efficient matrix product (about this many columns). */
    private static final int TARGET_COLUMNS = 1024;
    // [0] im2col columns, [1] a product (im2col) or the packed weights (padded-image path), [2] scaled weights, [3] a task's output before pooling
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][0]);
    private static final ThreadLocal<int[]> OFFSETS = ThreadLocal.withInitial(() -> new int[0]);

    private Conv() {
    }

    /** A batch is cut into at least this many tasks when it has the images: 2, 4 or 8 threads get equal shares. */
    private static final int MIN_TASKS = 8;

    /**
     * Images per task: a function of the batch and the output plane only, never of the thread
     * count, so the weight-gradient partial sums (one per task) add up the same way always.
     */
    static int imagesPerTask(int n, int outPlane) {
        int wide = (TARGET_COLUMNS + outPlane - 1) / outPlane, even = (n + MIN_TASKS - 1) / MIN_TASKS;
        return Math.max(1, Math.min(Math.min(n, wide), even));
    }

    /** Floats of workspace {@link #backward} needs for a batch of n, an output plane and a weight of wSize. */
    public static int workspaceSize(int n, int outPlane, int wSize) {
        int g = imagesPerTask(n, outPlane);
        return (n + g - 1) / g * wSize;
    }

    private static boolean isPointwise(ConvGeometry g) {
        return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.pt == 0 && g.pb == 0 && g.pl == 0 && g.pr == 0;
    }

    private static int[] tapOffsets(int k) {
        if (OFFSETS.get().length < k) OFFSETS.set(new int[k]);
        return OFFSETS.get();
    }

    private static float[] scratch(int which, int size) {
        float[][] s = SCRATCH.get();
        if (s[which].length < size) s[which] = new float[size];
        return s[which];
    }

    // x is (N, C, H, W), weight is (OC, C/groups, KH, KW), bias is (OC) or null, y is (N, OC, OH, OW)
    public static void forward(ConvGeometry g, int groups, Tensor x, Tensor weight, Tensor bias, Tensor y) {
        float[] shift = null;
        if (bias != null) {
            shift = new float[bias.size()];
            System.arraycopy(bias.data(), bias.offset(), shift, 0, shift.length);
        }
        forward(g, groups, x, weight, null, shift, null, false, null, y);
    }

    /**
     * {@code y[i, o] = f(scale[o] * (x * weight[o]) + shift[o] + residual[i, o])} with f = ReLU when
     * {@code relu}, else the identity: a convolution with a batch norm of fixed statistics, a
     * residual sum (ResNet's {@code relu(F(x) + x)}) and a ReLU folded in (scale null means 1, shift
     * null 0, residual null none; residual has y's shape). The scale multiplies the weights before
     * the product; the shift, the residual and the ReLU are applied as the last k block is stored,
     * so they cost no pass of their own, in the order the separate layers would apply them.
     */
    public static void forward(ConvGeometry g, int groups, Tensor x, Tensor weight, float[] scale, float[] shift,
                               Tensor residual, boolean relu, Tensor y) {
        forward(g, groups, x, weight, scale, shift, residual, relu, null, y);
    }

    /**
     * As {@link #forward(ConvGeometry, int, Tensor, Tensor, float[], float[], Tensor, boolean, Tensor)},
     * then, where {@code pool} is not null, a max pooling of that geometry over the (OC, OH, OW)
     * output (groups 1, no residual): y is (N, OC, pool.oh, pool.ow). Each task pools its images'
     * output from a buffer of its own while that is in cache, so the full-size output is never
     * stored nor read back.
     */
    public static void forward(ConvGeometry g, int groups, Tensor x, Tensor weight, float[] scale, float[] shift,
                               Tensor residual, boolean relu, ConvGeometry pool, Tensor y) {
        int n = x.dim(0), oc = weight.dim(0), cg = g.c / groups, ocg = oc / groups;
        int k = g.colRows(cg), ohw = g.outPlane(), inSize = g.c * g.h * g.w;
        int per = imagesPerTask(n, ohw), tasks = (n + per - 1) / per;
        if (pool != null && residual != null) throw new IllegalArgumentException("Conv: a pooled forward takes no residual sum");
        if (pool != null && (groups != 1 || pool.c != oc || pool.h != g.oh || pool.w != g.ow)) {
            throw new IllegalArgumentException(String.format("Conv: a pooled forward needs groups 1 and a pooling of the %d x %d x %d output, got groups %d and a pooling of %d x %d x %d",
                    oc, g.oh, g.ow, groups, pool.c, pool.h, pool.w));
        }
        float[] xd = x.data(), yd = y.data(), wd = weight.data();
        int wOff = weight.offset();
        if (scale != null) {
            float[] ws = scratch(2, oc * k);
            for (int o = 0; o < oc; o++) {
                for (int p = 0; p < k; p++) ws[o * k + p] = wd[wOff + o * k + p] * scale[o];
            }
            wd = ws;
            wOff = 0;
        }
        boolean pointwise = isPointwise(g);
        if (!pointwise && Simd.enabled() && VectorConv.handles(g)) {
            // no im2col: the product reads a zero-padded copy of the images
            for (int grp = 0; grp < groups; grp++) {
                int c0 = grp * cg, oc0 = grp * ocg;
                float[] ap = scratch(1, VectorConv.packedSize(ocg, k));
                VectorConv.packWeights(wd, wOff + grp * ocg * k, ocg, k, ap);
                float[] rd = residual == null ? null : residual.data();
                int rShift = residual == null ? 0 : residual.offset() - y.offset();
                Parallel.forEach(tasks, t -> {
                    int i0 = t * per, count = Math.min(per, n - i0);
                    float[] out = pool == null ? yd : scratch(3, count * oc * ohw);
                    VectorConv.forward(g, cg, ocg, ap, xd, x.offset() + i0 * inSize, inSize, c0, count,
                            out, pool == null ? y.offset() + i0 * oc * ohw : 0, oc * ohw, oc0, shift, rd, rShift, relu);
                    if (pool != null) maxPool(pool, out, count, y, i0);
                });
            }
            return;
        }
        float[] w = wd;
        int wo0 = wOff;
        Parallel.forEach(tasks, t -> {
            int i0 = t * per, count = Math.min(per, n - i0), cols = count * ohw, ld = Gemm.leadingDimension(cols);
            float[] out = pool == null ? yd : scratch(3, count * oc * ohw);
            int outOff = pool == null ? y.offset() + i0 * oc * ohw : 0;
            for (int grp = 0; grp < groups; grp++) {
                int wo = wo0 + grp * ocg * k;
                if (count == 1) {
                    // one image: the product writes straight into the output
                    int xo = x.offset() + i0 * inSize, yo = outOff + grp * ocg * ohw;
                    float[] b = xd;
                    int bo = xo + grp * cg * ohw, ldb = ohw;
                    if (!pointwise) {
                        b = scratch(0, k * ld);
                        bo = 0;
                        ldb = ld;
                        Im2col.im2col(g, xd, xo, grp * cg, cg, b, 0, ld);
                    }
                    Gemm.gemm(false, false, ocg, ohw, k, w, wo, k, b, bo, ldb, out, yo, ohw, false);
                    continue;
                }
                // several images side by side: col is (K, count*OH*OW), the product (OCg, count*OH*OW)
                float[] col = scratch(0, k * ld), prod = scratch(1, ocg * ld);
                for (int j = 0; j < count; j++) Im2col.im2col(g, xd, x.offset() + (i0 + j) * inSize, grp * cg, cg, col, j * ohw, ld);
                Gemm.gemm(false, false, ocg, cols, k, w, wo, k, col, 0, ld, prod, 0, ld, false);
                for (int j = 0; j < count; j++) {
                    for (int o = 0; o < ocg; o++) {
                        System.arraycopy(prod, o * ld + j * ohw, out, outOff + (j * oc + grp * ocg + o) * ohw, ohw);
                    }
                }
            }
            if (shift != null || residual != null || relu) {
                finish(shift, residual == null ? null : residual.data(), residual == null ? 0 : residual.offset() - y.offset(), relu,
                        out, outOff, count * oc, oc, ohw);
            }
            if (pool != null) maxPool(pool, out, count, y, i0);
        });
    }

    // y's images i0 .. i0+count = the max pooling of a task's output out[0 ..), still in cache
    private static void maxPool(ConvGeometry pool, float[] out, int count, Tensor y, int i0) {
        int image = pool.c * pool.oh * pool.ow;
        Pool.maxForward(pool, Tensor.view(out, 0, Shape.of(count, pool.c, pool.h, pool.w)),
                Tensor.view(y.data(), y.offset() + i0 * image, Shape.of(count, pool.c, pool.oh, pool.ow)), null);
    }

    /**
     * Whether an inference forward of this layer runs as {@link Winograd} F(2x2, 3x3): a 3x3,
     * stride-1, zero-padded, ungrouped layer with SIMD, unless the system property
     * {@code conv4j.winograd} is false, of at least 128 input and output channels and 128 x 256
     * channel pairs. Measured at batch 64 (Zen 5, 2 cores, Temurin 25, EVAL conv + BN + ReLU, median
     * time direct / Winograd, 1 thread; 2): 128->256 on 8x8 1.24; 1.53, on 16x16 1.13; 1.24,
     * 256->256 on 8x8 1.17; 1.26-1.43, 512->512 on 4x4 1.51; 1.39; but 128->128 1.04-1.13 and
     * 16 to 64 channels (VGG-small, ResNet-20) 0.45-1.01: there its transforms, a third of its
     * time, cost more than the products it saves over the direct kernel.
     */
    public static boolean usesWinograd(ConvGeometry g, int groups, int oc) {
        return Simd.enabled() && groups == 1 && Winograd.handles(g) && g.c >= 128 && oc >= 128 && (long) g.c * oc >= 128 * 256
                && !"false".equalsIgnoreCase(System.getProperty("conv4j.winograd", "true").trim());
    }

    /**
     * {@link #forward(ConvGeometry, int, Tensor, Tensor, float[], float[], Tensor, boolean, Tensor)} by
     * Winograd for a layer {@link #usesWinograd} accepts, u its filters from
     * {@link Winograd#transformFilters}; parallel over groups of images as the direct path.
     */
    public static void forwardWinograd(ConvGeometry g, Tensor x, float[] u, int oc, float[] scale, float[] shift,
                                       boolean relu, Tensor y) {
        int n = x.dim(0), ohw = g.outPlane(), inSize = g.c * g.h * g.w;
        int per = imagesPerTask(n, ohw), tasks = (n + per - 1) / per;
        Parallel.forEach(tasks, t -> {
            int i0 = t * per, count = Math.min(per, n - i0);
            Winograd.forward(g, oc, u, x.data(), x.offset() + i0 * inSize, inSize, count,
                    y.data(), y.offset() + i0 * oc * ohw, oc * ohw, scale, shift, relu);
        });
    }

    // the planes y[yo + r*ohw ..] of `rows` (image, channel) pairs: += shift[channel], += the
    // residual's same element (rd has y's layout, rShift floats further on), then the ReLU
    private static void finish(float[] shift, float[] rd, int rShift, boolean relu, float[] yd, int yo, int rows, int oc, int ohw) {
        for (int r = 0; r < rows; r++) {
            float b = shift == null ? 0f : shift[r % oc];
            int at = yo + r * ohw;
            if (shift != null) for (int j = 0; j < ohw; j++) yd[at + j] += b;
            if (rd != null) for (int j = 0; j < ohw; j++) yd[at + j] += rd[at + rShift + j];
            if (relu) for (int j = 0; j < ohw; j++) yd[at + j] = Math.max(yd[at + j], 0f);
        }
    }

    /**
     * Gradients of {@link #forward}: dx (overwritten; null to skip), dweight and dbias (added to;
     * dbias may be null). {@code workspace} holds at least {@link #workspaceSize} floats.
     */
    public static void backward(ConvGeometry g, int groups, Tensor x, Tensor weight, Tensor dy,
                                Tensor dx, Tensor dweight, Tensor dbias, float[] workspace) {
        int n = x.dim(0), oc = weight.dim(0), cg = g.c / groups, ocg = oc / groups;
        int k = g.colRows(cg), ohw = g.outPlane(), inSize = g.c * g.h * g.w, wSize = weight.size();
        int per = imagesPerTask(n, ohw), tasks = (n + per - 1) / per;
        float[] xd = x.data(), wd = weight.data(), dyd = dy.data();
        ConvGeometry full = dx == null ? null : fullConvolution(g, oc);
        // the full convolution also multiplies the zeros around dy: where they are many (a small map, a large
        // kernel, little padding) dx is scattered from W^T dy instead
        boolean scatterDx = dx != null && Simd.enabled() && VectorConv.handlesInputGradient(g)
                && (full == null || 4L * g.h * g.w > 5L * ohw);
        ConvGeometry adjoint = scatterDx ? null : full;
        boolean directDx = adjoint != null, directDw = Simd.enabled() && VectorConv.handlesWeightGradient(g, ocg);
        boolean dotDw = Simd.enabled() && !directDw && VectorConv.handlesWeightGradientDot(g, ocg), noIm2colDw = directDw || dotDw;
        boolean productDx = dx != null && !directDx && !scatterDx;
        int packedT = scatterDx ? VectorConv.packedSize(k, ocg) : 0;
        float[] apT = scatterDx ? scratch(2, groups * packedT) : null;
        int[] offsets = scatterDx ? tapOffsets(k) : null;
        for (int grp = 0; scatterDx && grp < groups; grp++) {
            VectorConv.packInputGradientWeights(g, wd, weight.offset() + grp * ocg * k, cg, ocg, scratch(1, k * ocg), apT, grp * packedT, offsets);
        }
        Parallel.forEach(tasks, t -> {
            int i0 = t * per, count = Math.min(per, n - i0), cols = count * ohw, ld = Gemm.leadingDimension(cols);
            // dy of the group's images as (OC, count*OH*OW), rows ld apart
            float[] dyg = noIm2colDw && !productDx ? null : scratch(1, oc * ld);
            for (int j = 0; dyg != null && j < count; j++) {
                for (int o = 0; o < oc; o++) System.arraycopy(dyd, dy.offset() + ((i0 + j) * oc + o) * ohw, dyg, o * ld + j * ohw, ohw);
            }
            if (productDx) java.util.Arrays.fill(dx.data(), dx.offset() + i0 * inSize, dx.offset() + (i0 + count) * inSize, 0f);
            float[] col = noIm2colDw && !productDx ? null : scratch(0, k * ld);
            for (int grp = 0; grp < groups; grp++) {
                int dyo = grp * ocg * ld, wg = weight.offset() + grp * ocg * k, dwo = t * wSize + grp * ocg * k;
                // dW_g = dy_g (OCg, cols) x col^T (cols, K)   (SPEC 1: input cross-correlated with the sensitivity map)
                if (directDw) {
                    VectorConv.weightGradient(g, cg, ocg, xd, x.offset() + i0 * inSize, inSize, grp * cg, count,
                            dyd, dy.offset() + i0 * oc * ohw, oc * ohw, grp * ocg, workspace, dwo);
                } else if (dotDw) {
                    VectorConv.weightGradientDot(g, cg, ocg, xd, x.offset() + i0 * inSize, inSize, grp * cg, count,
                            dyd, dy.offset() + i0 * oc * ohw, oc * ohw, grp * ocg, workspace, dwo);
                } else {
                    for (int j = 0; j < count; j++) Im2col.im2col(g, xd, x.offset() + (i0 + j) * inSize, grp * cg, cg, col, j * ohw, ld);
                    Gemm.gemm(false, true, ocg, k, cols, dyg, dyo, ld, col, 0, ld, workspace, dwo, k, false);
                }
                if (scatterDx) {
                    VectorConv.inputGradient(g, cg, ocg, apT, grp * packedT, offsets, dyd, dy.offset() + i0 * oc * ohw, oc * ohw, grp * ocg,
                            count, dx.data(), dx.offset() + i0 * inSize, inSize, grp * cg);
                }
                if (!productDx) continue;
                // dcol = W_g^T (K, OCg) x dy_g (OCg, cols); col2im is the "full convolution with the rotated filter"
                Gemm.gemm(true, false, k, cols, ocg, wd, wg, k, dyg, dyo, ld, col, 0, ld, false);
                for (int j = 0; j < count; j++) {
                    Im2col.col2im(g, col, j * ohw, ld, dx.data(), dx.offset() + (i0 + j) * inSize, grp * cg, cg);
                }
            }
        });
        if (directDx) {
            // dx = dy convolved with the flipped, transposed weights, padded to the full size
            for (int grp = 0; grp < groups; grp++) {
                float[] ap = scratch(1, VectorConv.packedSize(cg, ocg * g.kh * g.kw));
                VectorConv.packWeights(flippedTransposed(g, wd, weight.offset() + grp * ocg * k, cg, ocg), 0, cg, ocg * g.kh * g.kw, ap);
                int c0 = grp * ocg, oc0 = grp * cg;
                Parallel.forEach(tasks, t -> {
                    int i0 = t * per, count = Math.min(per, n - i0);
                    VectorConv.forward(adjoint, ocg, cg, ap, dyd, dy.offset() + i0 * oc * ohw, oc * ohw, c0, count,
                            dx.data(), dx.offset() + i0 * inSize, inSize, oc0, null, null, 0, false);
                });
            }
        }
        // the tasks' partial sums, added in task order for every element; split over the weights
        float[] dw = dweight.data();
        int dwo = dweight.offset(), chunk = 4096, chunks = (wSize + chunk - 1) / chunk;
        Parallel.forEach(chunks, q -> {
            int j0 = q * chunk, len = Math.min(chunk, wSize - j0);
            for (int t = 0; t < tasks; t++) Arrays2.addTo(workspace, t * wSize + j0, dw, dwo + j0, len);
        });
        if (dbias != null) {
            // SPEC 1: the bias gradient is the sum of the sensitivity map (in double, with independent
            // accumulators: one chain of float additions ran at the adder's latency, 4% of a VGG step)
            Parallel.forEach(oc, o -> {
                double s = 0;
                for (int i = 0; i < n; i++) s += Normalization.rowSum(dyd, dy.offset() + (i * oc + o) * ohw, ohw);
                dbias.data()[dbias.offset() + o] += (float) s;
            });
        }
    }

    /**
     * For a stride-1 zero-padded layer whose input gradient {@link VectorConv} can compute as a
     * convolution: the geometry of "dy (OC channels, OH x OW) padded by the kernel span minus the
     * padding, convolved with the flipped filter" (SPEC 1: the full convolution with the rotated
     * filter), whose output is H x W; else null (im2col, product and col2im).
     */
    private static ConvGeometry fullConvolution(ConvGeometry g, int oc) {
        if (!Simd.enabled() || g.mode != PaddingMode.ZEROS || g.sh != 1 || g.sw != 1) return null;
        int spanH = g.dh * (g.kh - 1), spanW = g.dw * (g.kw - 1);
        if (g.pt > spanH || g.pb > spanH || g.pl > spanW || g.pr > spanW) return null;
        ConvGeometry a = new ConvGeometry(oc, g.oh, g.ow, g.kh, g.kw, 1, 1, g.dh, g.dw,
                spanH - g.pt, spanH - g.pb, spanW - g.pl, spanW - g.pr, PaddingMode.ZEROS);
        return a.oh == g.h && a.ow == g.w && VectorConv.handles(a) ? a : null;
    }

    /** A group's weights (OCg, Cg, KH, KW) as (Cg, OCg, KH, KW), each kernel rotated by 180 degrees. */
    private static float[] flippedTransposed(ConvGeometry g, float[] w, int wo, int cg, int ocg) {
        int kk = g.kh * g.kw;
        float[] f = scratch(2, cg * ocg * kk);
        for (int o = 0; o < ocg; o++) {
            for (int ci = 0; ci < cg; ci++) {
                int src = wo + (o * cg + ci) * kk, dst = (ci * ocg + o) * kk;
                for (int q = 0; q < kk; q++) f[dst + kk - 1 - q] = w[src + q];
            }
        }
        return f;
    }

    /** Direct loop nest: y = bias + sum over the window of weight * input (SPEC 1). */
    public static void referenceForward(ConvGeometry g, int groups, Tensor x, Tensor weight, Tensor bias, Tensor y) {
        int n = x.dim(0), oc = weight.dim(0), cg = g.c / groups, ocg = oc / groups;
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < oc; o++) {
                int grp = o / ocg;
                for (int oy = 0; oy < g.oh; oy++) {
                    for (int ox = 0; ox < g.ow; ox++) {
                        float s = bias == null ? 0f : bias.at(o);
                        for (int ci = 0; ci < cg; ci++) {
                            for (int ki = 0; ki < g.kh; ki++) {
                                int iy = g.mode.source(oy * g.sh - g.pt + ki * g.dh, g.h);
                                if (iy < 0) continue;
                                for (int kj = 0; kj < g.kw; kj++) {
                                    int ix = g.mode.source(ox * g.sw - g.pl + kj * g.dw, g.w);
                                    if (ix < 0) continue;
                                    s += weight.get(o, ci, ki, kj) * x.get(i, grp * cg + ci, iy, ix);
                                }
                            }
                        }
                        y.set(s, i, o, oy, ox);
                    }
                }
            }
        }
    }

    /** Direct adjoint of {@link #referenceForward}: dx overwritten (if not null), dweight and dbias added to. */
    public static void referenceBackward(ConvGeometry g, int groups, Tensor x, Tensor weight, Tensor dy,
                                         Tensor dx, Tensor dweight, Tensor dbias) {
        int n = x.dim(0), oc = weight.dim(0), cg = g.c / groups, ocg = oc / groups;
        if (dx != null) dx.fill(0f);
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < oc; o++) {
                int grp = o / ocg;
                for (int oy = 0; oy < g.oh; oy++) {
                    for (int ox = 0; ox < g.ow; ox++) {
                        float d = dy.get(i, o, oy, ox);
                        if (dbias != null) dbias.set(dbias.at(o) + d, o);
                        for (int ci = 0; ci < cg; ci++) {
                            for (int ki = 0; ki < g.kh; ki++) {
                                int iy = g.mode.source(oy * g.sh - g.pt + ki * g.dh, g.h);
                                if (iy < 0) continue;
                                for (int kj = 0; kj < g.kw; kj++) {
                                    int ix = g.mode.source(ox * g.sw - g.pl + kj * g.dw, g.w);
                                    if (ix < 0) continue;
                                    int c = grp * cg + ci;
                                    dweight.set(dweight.get(o, ci, ki, kj) + d * x.get(i, c, iy, ix), o, ci, ki, kj);
                                    if (dx != null) dx.set(dx.get(i, c, iy, ix) + d * weight.get(o, ci, ki, kj), i, c, iy, ix);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
