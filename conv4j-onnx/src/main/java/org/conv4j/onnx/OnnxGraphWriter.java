package org.conv4j.onnx;

import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.conv4j.onnx.proto.OnnxProto.AttributeProto;
import org.conv4j.onnx.proto.OnnxProto.GraphProto;
import org.conv4j.onnx.proto.OnnxProto.NodeProto;
import org.conv4j.onnx.proto.OnnxProto.TensorProto;
import org.conv4j.onnx.proto.OnnxProto.TensorShapeProto;
import org.conv4j.onnx.proto.OnnxProto.TypeProto;
import org.conv4j.onnx.proto.OnnxProto.ValueInfoProto;
import org.conv4j.tensor.Shape;

/**
 * The protobuf side of {@link OnnxExport}: collects nodes and initializers under unique names and
 * closes them into a {@link GraphProto} with the input and output named
 * {@value OnnxExport#INPUT} and {@value OnnxExport#OUTPUT} and a symbolic batch dimension.
 */
final class OnnxGraphWriter {
    private final List<NodeProto.Builder> nodes = new ArrayList<>();
    private final List<TensorProto> initializers = new ArrayList<>();
    private final Set<String> names = new HashSet<>(Set.of(OnnxExport.INPUT, OnnxExport.OUTPUT));
    private long weightBytes;

    /** Adds a node named {@code name} (made unique) whose one output has that name too; returns it. */
    String node(String op, String name, List<String> inputs, AttributeProto... attributes) {
        String out = unique(name);
        nodes.add(NodeProto.newBuilder().setOpType(op).setName(out).addAllInput(inputs).addOutput(out).addAllAttribute(List.of(attributes)));
        return out;
    }

    /** A float32 initializer of the given dimensions (none: a scalar); returns its unique name. */
    String floats(String name, float[] values, int... dims) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return initializer(name, TensorProto.DataType.FLOAT, b.array(), dims);
    }

    /** An int64 vector initializer (Pad's pads); returns its unique name. */
    String int64s(String name, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return initializer(name, TensorProto.DataType.INT64, b.array(), values.length);
    }

    private String initializer(String name, TensorProto.DataType type, byte[] raw, int... dims) {
        weightBytes += raw.length;
        // a protobuf message holds at most 2 GiB; ONNX's external data files are not written
        if (weightBytes > Integer.MAX_VALUE - (1 << 20)) {
            throw new IllegalArgumentException("OnnxExport: the weights take over " + weightBytes
                    + " bytes, more than the 2 GiB one ONNX protobuf file can hold");
        }
        String unique = unique(name);
        TensorProto.Builder t = TensorProto.newBuilder().setName(unique).setDataType(type.getNumber())
                .setRawData(UnsafeByteOperations.unsafeWrap(raw)); // raw is ours and never changed again
        for (int d : dims) t.addDims(d);
        initializers.add(t.build());
        return unique;
    }

    private String unique(String name) {
        String n = name;
        for (int i = 1; !names.add(n); i++) n = name + "_" + i;
        return n;
    }

    static AttributeProto ints(String name, int... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (int v : values) a.addInts(v);
        return a.build();
    }

    static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto real(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    static AttributeProto string(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(value)).build();
    }

    /**
     * The graph whose value {@code last} is its output, renamed {@value OnnxExport#OUTPUT} (an
     * Identity node when it is the input itself); input and output shapes with batch "N".
     */
    GraphProto finish(String name, String last, Shape input, Shape output) {
        if (last.equals(OnnxExport.INPUT)) last = node("Identity", "identity", List.of(last));
        GraphProto.Builder g = GraphProto.newBuilder().setName(name);
        for (NodeProto.Builder n : nodes) {
            for (int i = 0; i < n.getInputCount(); i++) if (n.getInput(i).equals(last)) n.setInput(i, OnnxExport.OUTPUT);
            for (int i = 0; i < n.getOutputCount(); i++) if (n.getOutput(i).equals(last)) n.setOutput(i, OnnxExport.OUTPUT);
            g.addNode(n);
        }
        return g.addAllInitializer(initializers).addInput(value(OnnxExport.INPUT, input)).addOutput(value(OnnxExport.OUTPUT, output)).build();
    }

    /** A float tensor value whose first dimension is the symbolic batch. */
    private static ValueInfoProto value(String name, Shape s) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(OnnxExport.BATCH));
        for (int i = 1; i < s.rank(); i++) shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(s.dim(i)));
        TypeProto.Tensor t = TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape).build();
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(t)).build();
    }
}
