package org.conv4j.onnx;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.conv4j.onnx.proto.OnnxProto.TensorProto;
import org.conv4j.onnx.proto.OnnxProto.TensorProto.DataType;

/**
 * Decodes a TensorProto (raw_data, little-endian, or the typed repeated fields) into a
 * {@link ConstTensor}. The element count implied by the dims is checked, overflow-safe, against
 * the data actually present before anything is allocated, so a file cannot ask for more memory
 * than its own size.
 */
final class Tensors {
    private Tensors() {
    }

    /** The tensor's values; {@code what} names it in messages ("initializer 'fc.weight'"). */
    static ConstTensor decode(TensorProto t, String what) throws ImportError {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw new ImportError(what + " keeps its data in an external file, which conv4j does not read:"
                    + " save the model with its weights inside (onnx.save(model, path, save_as_external_data=False))");
        }
        if (t.hasSegment()) throw new ImportError(what + " is a segment of a larger tensor, which conv4j does not read");
        long[] dims = new long[t.getDimsCount()];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            dims[i] = t.getDims(i);
            if (dims[i] < 0) throw new ImportError(what + " has a negative dimension in " + Arrays.toString(t.getDimsList().toArray()));
            count = count > Integer.MAX_VALUE || dims[i] > Integer.MAX_VALUE ? Long.MAX_VALUE : count * dims[i];
            if (count > Integer.MAX_VALUE) throw new ImportError(what + " has dims " + t.getDimsList() + ", more elements than conv4j can hold");
        }
        int n = (int) count;
        int type = t.getDataType();
        if (type == DataType.FLOAT_VALUE) return ConstTensor.ofFloats(dims, floats(t, n, what));
        if (type == DataType.INT64_VALUE || type == DataType.INT32_VALUE || type == DataType.BOOL_VALUE) {
            return ConstTensor.ofLongs(dims, longs(t, type, n, what));
        }
        DataType known = DataType.forNumber(type);
        throw new ImportError(what + " has data type " + (known == null ? Integer.toString(type) : known.name())
                + "; conv4j imports FLOAT weights and INT64, INT32 or BOOL shapes");
    }

    private static float[] floats(TensorProto t, int n, String what) throws ImportError {
        if (t.hasRawData()) {
            ByteBuffer b = raw(t.getRawData(), n, 4, what);
            float[] v = new float[n];
            b.asFloatBuffer().get(v);
            return v;
        }
        checkCount(t.getFloatDataCount(), n, "float_data", what);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = t.getFloatData(i);
        return v;
    }

    private static long[] longs(TensorProto t, int type, int n, String what) throws ImportError {
        int width = type == DataType.INT64_VALUE ? 8 : type == DataType.INT32_VALUE ? 4 : 1;
        long[] v = new long[n];
        if (t.hasRawData()) {
            ByteBuffer b = raw(t.getRawData(), n, width, what);
            for (int i = 0; i < n; i++) v[i] = width == 8 ? b.getLong() : width == 4 ? b.getInt() : b.get();
        } else if (type == DataType.INT64_VALUE) {
            checkCount(t.getInt64DataCount(), n, "int64_data", what);
            for (int i = 0; i < n; i++) v[i] = t.getInt64Data(i);
        } else {
            checkCount(t.getInt32DataCount(), n, "int32_data", what);
            for (int i = 0; i < n; i++) v[i] = t.getInt32Data(i);
        }
        return v;
    }

    private static ByteBuffer raw(ByteString data, int n, int width, String what) throws ImportError {
        if (data.size() != (long) n * width) {
            throw new ImportError(what + " needs " + ((long) n * width) + " bytes of raw_data for " + n
                    + " elements but has " + data.size());
        }
        return data.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void checkCount(int have, int n, String field, String what) throws ImportError {
        if (have != n) throw new ImportError(what + " needs " + n + " values in " + field + " but has " + have);
    }
}
