package org.conv4j.kernel;

import org.conv4j.tensor.Tensor;

/** Element-wise and row-wise loops shared by the layers. Parallel over fixed blocks of elements. */
public final class Elementwise {
    private static final int BLOCK = 1 << 14;

    private Elementwise() {
    }

    /** A loop body over the flat range [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /** Runs {@code body} over [0, size) in fixed blocks, in parallel when large. */
    public static void forRange(int size, RangeBody body) {
        int blocks = (size + BLOCK - 1) / BLOCK;
        if (blocks <= 1) {
            body.run(0, size);
            return;
        }
        Parallel.forEach(blocks, b -> body.run(b * BLOCK, Math.min(size, (b + 1) * BLOCK)));
    }

    /**
     * y = max(0, x); NaN stays NaN, as in PyTorch, so a diverging model is not silently masked.
     * Math.max is branch-free: a data-dependent branch here mispredicts half the time (25x slower).
     */
    public static void relu(Tensor x, Tensor y) {
        float[] xd = x.data(), yd = y.data();
        int xo = x.offset(), yo = y.offset();
        forRange(x.size(), (from, to) -> {
            if (Simd.enabled()) {
                VectorArrays.relu(xd, xo + from, yd, yo + from, to - from);
                return;
            }
            for (int i = from; i < to; i++) yd[yo + i] = Math.max(xd[xo + i], 0f);
        });
    }

    /** The plain loop {@link #relu} is tested against. */
    public static void referenceRelu(Tensor x, Tensor y) {
        for (int i = 0; i < x.size(); i++) {
            float v = x.at(i);
            y.data()[y.offset() + i] = v > 0 || v != v ? v : 0f;
        }
    }

    /**
     * dx = dy where y > 0, else 0, for y = relu(x) (never -0, never negative). Branch-free: the
     * sign of -bits(y) is all ones exactly when y's bits are a positive number, i.e. y > 0.
     */
    public static void reluBackward(Tensor y, Tensor dy, Tensor dx) {
        float[] yd = y.data(), dyd = dy.data(), dxd = dx.data();
        int yo = y.offset(), dyo = dy.offset(), dxo = dx.offset();
        forRange(y.size(), (from, to) -> {
            if (Simd.enabled()) {
                VectorArrays.reluBackward(yd, yo + from, dyd, dyo + from, dxd, dxo + from, to - from);
                return;
            }
            for (int i = from; i < to; i++) {
                int mask = -Float.floatToRawIntBits(yd[yo + i]) >> 31;
                dxd[dxo + i] = Float.intBitsToFloat(Float.floatToRawIntBits(dyd[dyo + i]) & mask);
            }
        });
    }

    /** The plain loop {@link #reluBackward} is tested against. */
    public static void referenceReluBackward(Tensor y, Tensor dy, Tensor dx) {
        for (int i = 0; i < y.size(); i++) dx.data()[dx.offset() + i] = y.at(i) > 0 ? dy.at(i) : 0f;
    }

    /** y = a + b for three tensors of the same size, in one pass (the JIT vectorizes the loop). */
    public static void add(Tensor a, Tensor b, Tensor y) {
        float[] ad = a.data(), bd = b.data(), yd = y.data();
        int ao = a.offset(), bo = b.offset(), yo = y.offset();
        forRange(y.size(), (from, to) -> {
            for (int i = from; i < to; i++) yd[yo + i] = ad[ao + i] + bd[bo + i];
        });
    }

    /** y = max(0, a + b) for three tensors of the same size, in one pass: a residual sum and its ReLU. */
    public static void addRelu(Tensor a, Tensor b, Tensor y) {
        float[] ad = a.data(), bd = b.data(), yd = y.data();
        int ao = a.offset(), bo = b.offset(), yo = y.offset();
        forRange(y.size(), (from, to) -> {
            for (int i = from; i < to; i++) yd[yo + i] = Math.max(ad[ao + i] + bd[bo + i], 0f);
        });
    }

    /** acc += x for two tensors of the same size. */
    public static void addInto(Tensor acc, Tensor x) {
        float[] ad = acc.data(), xd = x.data();
        int ao = acc.offset(), xo = x.offset();
        forRange(acc.size(), (from, to) -> Arrays2.addTo(xd, xo + from, ad, ao + from, to - from));
    }

    /** y[i, j] += v[j] for a (rows, cols) y. */
    public static void addRowVector(Tensor y, Tensor v) {
        int cols = v.size(), rows = y.size() / cols;
        float[] yd = y.data(), vd = v.data();
        for (int r = 0; r < rows; r++) {
            int o = y.offset() + r * cols;
            for (int j = 0; j < cols; j++) yd[o + j] += vd[v.offset() + j];
        }
    }

    /** acc[j] += sum over rows of m[r, j]. */
    public static void sumRowsInto(Tensor m, Tensor acc) {
        int cols = acc.size(), rows = m.size() / cols;
        float[] md = m.data(), ad = acc.data();
        for (int j = 0; j < cols; j++) {
            float s = 0;
            for (int r = 0; r < rows; r++) s += md[m.offset() + r * cols + j];
            ad[acc.offset() + j] += s;
        }
    }
}
