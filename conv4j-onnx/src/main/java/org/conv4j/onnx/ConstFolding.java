package org.conv4j.onnx;

import java.util.Arrays;
import java.util.List;
import org.conv4j.onnx.proto.OnnxProto.AttributeProto;
import org.conv4j.onnx.proto.OnnxProto.AttributeProto.AttributeType;
import org.conv4j.onnx.proto.OnnxProto.TensorProto.DataType;

/**
 * Evaluates, at import time, the small integer computations PyTorch's exporter writes around
 * Reshape and Pad (Constant, Shape, Gather, Unsqueeze, Squeeze, Concat, ConstantOfShape,
 * Reshape, Slice, Transpose, Cast on constants), so that the layer they feed gets a plain list of
 * numbers. Results are capped at {@link #MAX_ELEMENTS}: these are shapes, never weights.
 */
final class ConstFolding {
    static final int MAX_ELEMENTS = 4096;

    private ConstFolding() {
    }

    /** Whether {@code opType} is folded here when all its inputs are constants. */
    static boolean folds(String opType) {
        return switch (opType) {
            case "Constant", "Gather", "Unsqueeze", "Squeeze", "Concat", "ConstantOfShape", "Reshape", "Slice", "Transpose", "Cast", "Identity" -> true;
            default -> false;
        };
    }

    static ConstTensor eval(OpNode n, List<ConstTensor> in, int opset) throws ImportError {
        ConstTensor r = switch (n.opType()) {
            case "Constant" -> constant(n);
            case "Identity" -> arg(n, in, 0);
            case "Gather" -> gather(n, arg(n, in, 0), arg(n, in, 1));
            case "Unsqueeze" -> unsqueeze(n, arg(n, in, 0), axes(n, in, opset), true);
            case "Squeeze" -> unsqueeze(n, arg(n, in, 0), axes(n, in, opset), false);
            case "Concat" -> concat(n, in);
            case "ConstantOfShape" -> constantOfShape(n, arg(n, in, 0));
            case "Reshape" -> reshape(n, arg(n, in, 0), arg(n, in, 1));
            case "Slice" -> slice(n, in);
            case "Transpose" -> transpose(n, arg(n, in, 0));
            case "Cast" -> cast(n, arg(n, in, 0));
            default -> throw n.fail("is not an operator conv4j evaluates on constants");
        };
        n.checkAllRead();
        return r;
    }

    /** Input k, which the operator requires. */
    private static ConstTensor arg(OpNode n, List<ConstTensor> in, int k) throws ImportError {
        if (k >= in.size() || in.get(k) == null) throw n.fail("input " + k + " is missing");
        return in.get(k);
    }

    private static ConstTensor constant(OpNode n) throws ImportError {
        AttributeProto t = n.raw("value", AttributeType.TENSOR);
        if (t != null) return Tensors.decode(t.getT(), n.describe() + " value");
        AttributeProto fs = n.raw("value_floats", AttributeType.FLOATS);
        if (fs != null) {
            float[] v = new float[fs.getFloatsCount()];
            for (int i = 0; i < v.length; i++) v[i] = fs.getFloats(i);
            return ConstTensor.ofFloats(new long[] {v.length}, v);
        }
        long[] is = n.longs("value_ints");
        if (is != null) return ConstTensor.ofLongs(new long[] {is.length}, is);
        if (n.has("value_float")) return ConstTensor.ofFloats(new long[0], new float[] {n.f("value_float", 0)});
        if (n.has("value_int")) return ConstTensor.ofLongs(new long[0], new long[] {n.i("value_int", 0)});
        throw n.fail("has no value, value_float(s) or value_int(s) attribute (sparse and string constants are not supported)");
    }

    private static long[] axes(OpNode n, List<ConstTensor> in, int opset) throws ImportError {
        if (opset < 13) {
            long[] a = n.longs("axes");
            if (a == null) throw n.fail("needs its axes attribute");
            return a;
        }
        return longs(n, arg(n, in, 1), "axes");
    }

    private static ConstTensor gather(OpNode n, ConstTensor data, ConstTensor indices) throws ImportError {
        int rank = data.rank();
        int axis = axis(n, n.i("axis", 0), rank);
        long[] idx = longs(n, indices, "indices");
        int len = (int) data.dims()[axis];
        long[] dims = new long[rank - 1 + indices.rank()];
        System.arraycopy(data.dims(), 0, dims, 0, axis);
        System.arraycopy(indices.dims(), 0, dims, axis, indices.rank());
        System.arraycopy(data.dims(), axis + 1, dims, axis + indices.rank(), rank - axis - 1);
        int outer = prod(data.dims(), 0, axis), inner = prod(data.dims(), axis + 1, rank);
        int[] src = new int[checkSize(n, (long) outer * idx.length * inner)];
        int o = 0;
        for (int a = 0; a < outer; a++) {
            for (long k : idx) {
                long j = k < 0 ? k + len : k;
                if (j < 0 || j >= len) throw n.fail("index " + k + " is out of range for a dimension of " + len);
                for (int b = 0; b < inner; b++) src[o++] = (int) ((a * (long) len + j) * inner + b);
            }
        }
        return pick(data, src, dims);
    }

    private static ConstTensor unsqueeze(OpNode n, ConstTensor data, long[] axes, boolean insert) throws ImportError {
        int outRank = insert ? data.rank() + axes.length : data.rank();
        boolean[] marked = new boolean[outRank];
        for (long a : axes) {
            int ax = axis(n, a, outRank);
            if (marked[ax]) throw n.fail("axis " + a + " is repeated");
            if (!insert && data.dims()[ax] != 1) throw n.fail("cannot squeeze axis " + a + " of size " + data.dims()[ax]);
            marked[ax] = true;
        }
        long[] dims = new long[insert ? outRank : outRank - axes.length];
        for (int i = 0, j = 0, k = 0; i < outRank; i++) {
            if (insert) dims[i] = marked[i] ? 1 : data.dims()[j++];
            else if (!marked[i]) dims[k++] = data.dims()[i];
        }
        return data.isFloat() ? ConstTensor.ofFloats(dims, data.floats()) : ConstTensor.ofLongs(dims, data.longs());
    }

    private static ConstTensor concat(OpNode n, List<ConstTensor> in) throws ImportError {
        ConstTensor first = arg(n, in, 0);
        int rank = first.rank();
        if (rank == 0) throw n.fail("cannot concatenate scalars");
        for (int k = 1; k < in.size(); k++) arg(n, in, k);
        int axis = axis(n, n.i("axis", Long.MIN_VALUE), rank);
        long[] dims = first.dims().clone();
        dims[axis] = 0;
        for (ConstTensor t : in) {
            if (t.rank() != rank || t.isFloat() != first.isFloat()) throw n.fail("inputs of different ranks or types");
            for (int d = 0; d < rank; d++) {
                if (d != axis && t.dims()[d] != first.dims()[d]) throw n.fail("inputs of shapes " + first.shapeText() + " and " + t.shapeText());
            }
            dims[axis] += t.dims()[axis];
        }
        int outer = prod(dims, 0, axis);
        int size = checkSize(n, (long) outer * prod(dims, axis, rank));
        float[] f = first.isFloat() ? new float[size] : null;
        long[] l = first.isFloat() ? null : new long[size];
        int o = 0;
        for (int a = 0; a < outer; a++) {
            for (ConstTensor t : in) {
                int chunk = prod(t.dims(), axis, rank);
                if (f != null) System.arraycopy(t.floats(), a * chunk, f, o, chunk);
                else System.arraycopy(t.longs(), a * chunk, l, o, chunk);
                o += chunk;
            }
        }
        return new ConstTensor(dims, f, l);
    }

    private static ConstTensor constantOfShape(OpNode n, ConstTensor shape) throws ImportError {
        long[] dims = longs(n, shape, "shape");
        long size = 1;
        for (long d : dims) {
            size *= d;
            if (d < 0 || size > MAX_ELEMENTS) throw n.fail("shape " + Arrays.toString(dims) + " is not a small constant shape");
        }
        int count = checkSize(n, size);
        AttributeProto v = n.raw("value", AttributeType.TENSOR);
        ConstTensor fill = v == null ? ConstTensor.ofFloats(new long[] {1}, new float[] {0}) : Tensors.decode(v.getT(), n.describe() + " value");
        if (fill.size() != 1) throw n.fail("value must hold one element, has " + fill.size());
        if (fill.isFloat()) {
            float[] f = new float[count];
            Arrays.fill(f, fill.floats()[0]);
            return ConstTensor.ofFloats(dims, f);
        }
        long[] l = new long[count];
        Arrays.fill(l, fill.longs()[0]);
        return ConstTensor.ofLongs(dims, l);
    }

    private static ConstTensor reshape(OpNode n, ConstTensor data, ConstTensor shape) throws ImportError {
        if (n.i("allowzero", 0) != 0) throw n.fail("attribute allowzero=1 is not supported");
        long[] dims = longs(n, shape, "shape").clone();
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == 0) {
                if (i >= data.rank()) throw n.fail("0 at position " + i + " copies no dimension of " + data.shapeText());
                dims[i] = data.dims()[i];
            }
            if (dims[i] == -1) {
                if (unknown >= 0) throw n.fail("shape " + Arrays.toString(dims) + " has two -1");
                unknown = i;
            } else if (dims[i] < 0 || dims[i] > MAX_ELEMENTS) {
                throw n.fail("shape " + Arrays.toString(longs(n, shape, "shape")) + " is not a small constant shape");
            } else {
                known *= dims[i];
                if (known > Integer.MAX_VALUE) throw n.fail("cannot reshape " + data.shapeText() + " to " + Arrays.toString(longs(n, shape, "shape")));
            }
        }
        if (unknown >= 0) dims[unknown] = known == 0 ? 0 : data.size() / known;
        long size = 1;
        for (long d : dims) size *= d;
        if (size != data.size()) throw n.fail("cannot reshape " + data.shapeText() + " to " + Arrays.toString(longs(n, shape, "shape")));
        return new ConstTensor(dims, data.floats(), data.longs());
    }

    private static ConstTensor slice(OpNode n, List<ConstTensor> in) throws ImportError {
        ConstTensor data = arg(n, in, 0);
        int rank = data.rank();
        long[] starts = longs(n, arg(n, in, 1), "starts");
        long[] ends = longs(n, arg(n, in, 2), "ends");
        long[] axes = in.size() > 3 && in.get(3) != null ? longs(n, in.get(3), "axes") : null;
        long[] steps = in.size() > 4 && in.get(4) != null ? longs(n, in.get(4), "steps") : null;
        if (ends.length != starts.length || (axes != null && axes.length != starts.length) || (steps != null && steps.length != starts.length)) {
            throw n.fail("starts, ends, axes and steps of different lengths");
        }
        long[] from = new long[rank], step = new long[rank], dims = data.dims().clone();
        Arrays.fill(step, 1);
        for (int k = 0; k < starts.length; k++) {
            int ax = axis(n, axes == null ? k : axes[k], rank);
            long dim = data.dims()[ax], st = steps == null ? 1 : Math.max(steps[k], -Long.MAX_VALUE);
            if (st == 0) throw n.fail("a step of 0");
            long s = starts[k] < 0 ? starts[k] + dim : starts[k];
            long e = ends[k] < 0 ? ends[k] + dim : ends[k];
            if (st > 0) {
                s = Math.max(0, Math.min(s, dim));
                e = Math.max(0, Math.min(e, dim));
                dims[ax] = e > s ? (e - s - 1) / st + 1 : 0;
            } else {
                s = Math.max(-1, Math.min(s, dim - 1));
                e = Math.max(-1, Math.min(e, dim - 1));
                dims[ax] = s > e ? (s - e - 1) / -st + 1 : 0;
            }
            from[ax] = s;
            step[ax] = st;
        }
        int size = checkSize(n, prod(dims, 0, rank));
        int[] src = new int[size];
        long[] stride = strides(data.dims());
        int[] idx = new int[rank];
        for (int o = 0; o < size; o++) {
            long s = 0;
            for (int d = 0; d < rank; d++) s += (from[d] + idx[d] * step[d]) * stride[d];
            src[o] = (int) s;
            increment(idx, dims);
        }
        return pick(data, src, dims);
    }

    private static ConstTensor transpose(OpNode n, ConstTensor data) throws ImportError {
        int rank = data.rank();
        long[] perm = n.longs("perm");
        if (perm == null) {
            perm = new long[rank];
            for (int i = 0; i < rank; i++) perm[i] = rank - 1 - i;
        }
        if (perm.length != rank) throw n.fail("perm " + Arrays.toString(perm) + " does not match rank " + rank);
        long[] dims = new long[rank], stride = strides(data.dims()), permStride = new long[rank];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            int p = axis(n, perm[i], rank);
            if (seen[p]) throw n.fail("perm " + Arrays.toString(perm) + " repeats an axis");
            seen[p] = true;
            dims[i] = data.dims()[p];
            permStride[i] = stride[p];
        }
        int[] src = new int[data.size()];
        int[] idx = new int[rank];
        for (int o = 0; o < src.length; o++) {
            long s = 0;
            for (int d = 0; d < rank; d++) s += idx[d] * permStride[d];
            src[o] = (int) s;
            increment(idx, dims);
        }
        return pick(data, src, dims);
    }

    private static ConstTensor cast(OpNode n, ConstTensor data) throws ImportError {
        long to = n.i("to", -1);
        if (to == DataType.FLOAT_VALUE) {
            if (data.isFloat()) return data;
            float[] f = new float[data.size()];
            for (int i = 0; i < f.length; i++) {
                if (data.longs()[i] == ConstTensor.BATCH) throw n.fail("casts the batch size, which is only known at run time");
                f[i] = data.longs()[i];
            }
            return ConstTensor.ofFloats(data.dims(), f);
        }
        if (to != DataType.INT64_VALUE && to != DataType.INT32_VALUE) throw n.fail("attribute to=" + to + " is not supported (FLOAT, INT32 or INT64)");
        if (!data.isFloat()) return data;
        long[] l = new long[data.size()];
        for (int i = 0; i < l.length; i++) l[i] = (long) data.floats()[i];
        return ConstTensor.ofLongs(data.dims(), l);
    }

    /** The integer values of a constant input. */
    static long[] longs(OpNode n, ConstTensor t, String what) throws ImportError {
        if (t == null || t.isFloat()) throw n.fail(what + " must be an integer constant");
        return t.longs();
    }

    /** An axis in [-rank, rank) as a non-negative index. */
    static int axis(OpNode n, long axis, int rank) throws ImportError {
        if (axis < -rank || axis >= rank) throw n.fail("axis " + (axis == Long.MIN_VALUE ? "(missing)" : axis) + " is out of range for rank " + rank);
        return (int) (axis < 0 ? axis + rank : axis);
    }

    private static int checkSize(OpNode n, long size) throws ImportError {
        if (size > MAX_ELEMENTS) throw n.fail("computes a constant of " + size + " elements; conv4j folds only small shape constants");
        return (int) size;
    }

    private static int prod(long[] dims, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) p *= dims[i];
        return (int) p;
    }

    private static long[] strides(long[] dims) {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int d = dims.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= dims[d];
        }
        return s;
    }

    private static void increment(int[] idx, long[] dims) {
        for (int d = idx.length - 1; d >= 0; d--) {
            if (++idx[d] < dims[d]) return;
            idx[d] = 0;
        }
    }

    private static ConstTensor pick(ConstTensor data, int[] src, long[] dims) {
        if (data.isFloat()) {
            float[] f = new float[src.length];
            for (int i = 0; i < f.length; i++) f[i] = data.floats()[src[i]];
            return ConstTensor.ofFloats(dims, f);
        }
        long[] l = new long[src.length];
        for (int i = 0; i < l.length; i++) l[i] = data.longs()[src[i]];
        return ConstTensor.ofLongs(dims, l);
    }
}
