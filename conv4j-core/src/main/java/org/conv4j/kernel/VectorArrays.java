package org.conv4j.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD paths of {@link Arrays2} and {@link Elementwise}; only loaded when {@link Simd#enabled()}.
 * Every element gets exactly the scalar loop's result (no reassociation).
 */
final class VectorArrays {
    private static final VectorSpecies<Float> S = Species.FLOAT;
    // doubles in vectors of the same width, and floats in half of one: H converts to one D
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, S.vectorShape());
    private static final VectorSpecies<Float> H = VectorSpecies.of(float.class, VectorShape.forBitSize(S.vectorBitSize() / 2));

    private VectorArrays() {
    }

    /** A copy of n < 64 floats: whole vectors, the last one overlapping the one before; n < L floats one by one. */
    static void copyShort(float[] src, int s, float[] dst, int d, int n) {
        int l = S.length();
        if (n < l) {
            for (int i = 0; i < n; i++) dst[d + i] = src[s + i];
            return;
        }
        for (int i = 0; i < n - l; i += l) FloatVector.fromArray(S, src, s + i).intoArray(dst, d + i);
        FloatVector.fromArray(S, src, s + n - l).intoArray(dst, d + n - l);
    }

    static void addTo(float[] src, int s, float[] dst, int d, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector.fromArray(S, dst, d + i).add(FloatVector.fromArray(S, src, s + i)).intoArray(dst, d + i);
        }
        for (; i < n; i++) dst[d + i] += src[s + i];
    }

    /** y[d + i] = max(x[s + i], 0) as Math.max: NaN stays NaN, -0 becomes 0. */
    static void relu(float[] x, int s, float[] y, int d, int n) {
        int i = 0;
        FloatVector zero = FloatVector.zero(S);
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector.fromArray(S, x, s + i).max(zero).intoArray(y, d + i);
        }
        for (; i < n; i++) y[d + i] = Math.max(x[s + i], 0f);
    }

    /**
     * dx = dy where y > 0, else +0. (Where y is NaN the scalar tail passes dy and the vectors
     * give 0: the model has diverged there anyway. Integer lane shifts, which would match it,
     * run in Java on JDK 17.)
     */
    static void reluBackward(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo, int n) {
        int i = 0;
        FloatVector zero = FloatVector.zero(S);
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            VectorMask<Float> positive = FloatVector.fromArray(S, y, yo + i).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(S, dy, dyo + i), positive).intoArray(dx, dxo + i);
        }
        for (; i < n; i++) {
            int mask = -Float.floatToRawIntBits(y[yo + i]) >> 31;
            dx[dxo + i] = Float.intBitsToFloat(Float.floatToRawIntBits(dy[dyo + i]) & mask);
        }
    }

    /**
     * The sum in double of x[at..at+n): floats loaded half a vector at a time and widened to a
     * double vector (converting a whole float vector's upper half runs in Java on JDK 17), two
     * accumulators, lanes summed at the end, then the tail in order.
     */
    static double sum(float[] x, int at, int n) {
        DoubleVector a0 = DoubleVector.zero(D), a1 = DoubleVector.zero(D);
        int h = H.length(), i = 0;
        for (int end = n - 2 * h + 1; i < end; i += 2 * h) {
            a0 = a0.add(widen(x, at + i));
            a1 = a1.add(widen(x, at + i + h));
        }
        double s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += x[at + i];
        return s;
    }

    /** sum(x - center) and sum((x - center)^2) over a row, in double, as {@link #sum}: out[o] += the first, out[o + 1] += the second. */
    static void sumAndSquares(float[] x, int at, int n, double center, double[] out, int o) {
        DoubleVector a0 = DoubleVector.zero(D), a1 = a0, q0 = a0, q1 = a0, mu = DoubleVector.broadcast(D, center);
        int h = H.length(), i = 0;
        for (int end = n - 2 * h + 1; i < end; i += 2 * h) {
            DoubleVector lo = widen(x, at + i).sub(mu), hi = widen(x, at + i + h).sub(mu);
            a0 = a0.add(lo);
            a1 = a1.add(hi);
            q0 = lo.fma(lo, q0);
            q1 = hi.fma(hi, q1);
        }
        double s = a0.add(a1).reduceLanes(VectorOperators.ADD), q = q0.add(q1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            double d = x[at + i] - center;
            s += d;
            q += d * d;
        }
        out[o] += s;
        out[o + 1] += q;
    }

    // x[at .. at + D.length()) as doubles
    private static DoubleVector widen(float[] x, int at) {
        return (DoubleVector) FloatVector.fromArray(H, x, at).convertShape(VectorOperators.F2D, D, 0);
    }

    /** sum(dy) and sum(dy * (x - center)) over a row, in double: out[0] += the first, out[1] += the second. */
    static void sumGradients(float[] dy, int dyAt, float[] x, int xAt, int n, double center, double[] out) {
        DoubleVector g0 = DoubleVector.zero(D), g1 = DoubleVector.zero(D), p0 = g0, p1 = g0, mu = DoubleVector.broadcast(D, center);
        int h = H.length(), i = 0;
        for (int end = n - 2 * h + 1; i < end; i += 2 * h) {
            DoubleVector glo = widen(dy, dyAt + i), ghi = widen(dy, dyAt + i + h);
            g0 = g0.add(glo);
            g1 = g1.add(ghi);
            p0 = glo.fma(widen(x, xAt + i).sub(mu), p0);
            p1 = ghi.fma(widen(x, xAt + i + h).sub(mu), p1);
        }
        double sg = g0.add(g1).reduceLanes(VectorOperators.ADD), sp = p0.add(p1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            double g = dy[dyAt + i];
            sg += g;
            sp += g * (x[xAt + i] - center);
        }
        out[0] += sg;
        out[1] += sp;
    }

    /**
     * y = (x - center) * scale + shift over a row, in float: center is split into a float and
     * its float remainder, so x - center keeps the double difference's accuracy when the
     * spread is small against the mean (x - hi is exact for x near hi).
     */
    static void normalizeRow(float[] x, int xAt, float[] y, int yAt, int n, double center, float scale, float shift) {
        float hi = (float) center, lo = (float) (center - hi);
        FloatVector hv = FloatVector.broadcast(S, hi), lv = FloatVector.broadcast(S, lo);
        FloatVector sc = FloatVector.broadcast(S, scale), sh = FloatVector.broadcast(S, shift);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector.fromArray(S, x, xAt + i).sub(hv).sub(lv).mul(sc).add(sh).intoArray(y, yAt + i);
        }
        for (; i < n; i++) y[yAt + i] = (x[xAt + i] - hi - lo) * scale + shift;
    }

    /** dx = (dy - a) * k - (x - center) * kb over a row, in float, x - center as in {@link #normalizeRow}. */
    static void batchNormGradientRow(float[] x, int xAt, float[] dy, int dyAt, float[] dx, int dxAt, int n,
                                     double center, float k, float a, float kb) {
        float hi = (float) center, lo = (float) (center - hi);
        FloatVector hv = FloatVector.broadcast(S, hi), lv = FloatVector.broadcast(S, lo), kv = FloatVector.broadcast(S, k),
                av = FloatVector.broadcast(S, a), bv = FloatVector.broadcast(S, kb);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector xc = FloatVector.fromArray(S, x, xAt + i).sub(hv).sub(lv);
            FloatVector.fromArray(S, dy, dyAt + i).sub(av).mul(kv).sub(xc.mul(bv)).intoArray(dx, dxAt + i);
        }
        for (; i < n; i++) dx[dxAt + i] = (dy[dyAt + i] - a) * k - (x[xAt + i] - hi - lo) * kb;
    }
}
