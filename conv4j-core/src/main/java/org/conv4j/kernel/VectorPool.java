package org.conv4j.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD path of 2x2 stride-2 max pooling ({@link Pool}); only loaded when {@link Simd#enabled()}.
 * L outputs of a plane at a time: the four taps of each window are gathered through a table of
 * the windows' first elements, so rows of any width vectorize. Same results as the scalar loop:
 * the first element equal to the maximum is the output and its index the arg-max; a block with
 * a NaN goes through the scalar loop (PyTorch's last-NaN rule).
 */
final class VectorPool {
    private static final VectorSpecies<Float> S = Species.FLOAT;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
    private static final int L = S.length();
    // lanes 0, 2, 4, ... of a vector and then of a second one
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i);

    private VectorPool() {
    }

    /**
     * Outputs [0, full) of the plane at x[xo] into y[yo..] and argmax[ao..] (may be null), full =
     * the largest multiple of L <= OH*OW, which it returns; {@code corners} from {@link Pool#corners}.
     */
    static int max2x2(ConvGeometry g, int[] corners, float[] x, int xo, float[] y, int yo, int[] argmax, int ao) {
        int w = g.w, ohw = g.oh * g.ow, full = ohw - ohw % S.length();
        IntVector k1 = IntVector.broadcast(I, 1), kw = IntVector.broadcast(I, w), kw1 = IntVector.broadcast(I, w + 1);
        for (int o = 0; o < full; o += S.length()) {
            FloatVector a0 = FloatVector.fromArray(S, x, xo, corners, o), a1 = FloatVector.fromArray(S, x, xo + 1, corners, o);
            FloatVector a2 = FloatVector.fromArray(S, x, xo + w, corners, o), a3 = FloatVector.fromArray(S, x, xo + w + 1, corners, o);
            FloatVector m = a0.max(a1).max(a2.max(a3));
            if (m.test(VectorOperators.IS_NAN).anyTrue()) {
                scalarBlock(w, corners, x, xo, y, yo, argmax, ao, o);
                continue;
            }
            // the first tap equal to the maximum, chosen from the last backwards
            VectorMask<Float> e0 = a0.eq(m), e1 = a1.eq(m), e2 = a2.eq(m);
            FloatVector v = a3.blend(a2, e2).blend(a1, e1).blend(a0, e0);
            v.intoArray(y, yo + o);
            if (argmax != null) {
                IntVector k = kw1.blend(kw, e2.cast(I)).blend(k1, e1.cast(I)).blend(0, e0.cast(I));
                IntVector.fromArray(I, corners, o).add(k).intoArray(argmax, ao + o);
            }
        }
        return full;
    }

    private static void scalarBlock(int w, int[] corners, float[] x, int xo, float[] y, int yo, int[] argmax, int ao, int o0) {
        for (int o = o0; o < o0 + S.length(); o++) Pool.maxWindow(w, corners[o], x, xo, y, yo + o, argmax, ao + o);
    }

    /**
     * The values alone (no arg-max) of planes [from, to) at x[xo + p*H*W] into y[yo + p*OH*OW]:
     * each output row from contiguous loads of its two input rows, L outputs at a time. A window
     * is pick(pick(a0, a1), pick(a2, a3)) in row order, where pick keeps its first argument
     * unless the second is larger or NaN: the first maximum, or the last NaN, as the scalar loop.
     * A block's last vector may run past its row into the next ones (written after it); a block
     * that would write past plane to - 1 or read past x goes through the scalar loop.
     */
    static void max2x2Values(ConvGeometry g, float[] x, int xo, float[] y, int yo, int from, int to) {
        int w = g.w, hw = g.h * w, ow = g.ow, ohw = g.oh * ow, end = yo + to * ohw;
        for (int p = from; p < to; p++) {
            int xp = xo + p * hw, yp = yo + p * ohw;
            for (int oy = 0; oy < g.oh; oy++) {
                int r0 = xp + 2 * oy * w, dst = yp + oy * ow;
                for (int ox = 0; ox < ow; ox += L) {
                    // outputs past L/2 need a second vector of windows
                    boolean two = ow - ox > L / 2;
                    int at = r0 + 2 * ox;
                    if (dst + ox + L > end || at + w + (two ? 2 * L : L) + 1 > x.length) {
                        for (int q = ox; q < Math.min(ow, ox + L); q++) Pool.maxWindow(w, 2 * oy * w + 2 * q, x, xp, y, dst + q, null, 0);
                        continue;
                    }
                    FloatVector m0 = windows(x, at, w), m1 = two ? windows(x, at + L, w) : m0;
                    m0.rearrange(EVEN, m1).intoArray(y, dst + ox);
                }
            }
        }
    }

    // lane 2i: the window at x[at + 2i] (rows w apart); odd lanes: windows between two, dropped
    private static FloatVector windows(float[] x, int at, int w) {
        FloatVector top = pick(FloatVector.fromArray(S, x, at), FloatVector.fromArray(S, x, at + 1));
        FloatVector bottom = pick(FloatVector.fromArray(S, x, at + w), FloatVector.fromArray(S, x, at + w + 1));
        return pick(top, bottom);
    }

    private static FloatVector pick(FloatVector a, FloatVector b) {
        return a.blend(b, b.compare(VectorOperators.GT, a).or(b.test(VectorOperators.IS_NAN)));
    }
}
