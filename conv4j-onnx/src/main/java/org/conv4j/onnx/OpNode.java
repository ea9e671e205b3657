package org.conv4j.onnx;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.conv4j.onnx.proto.OnnxProto.AttributeProto;
import org.conv4j.onnx.proto.OnnxProto.AttributeProto.AttributeType;
import org.conv4j.onnx.proto.OnnxProto.NodeProto;

/**
 * One ONNX node being imported: typed access to its attributes, each checked, and a record of
 * which were read, so that {@link #checkAllRead()} rejects any attribute conv4j does not
 * interpret instead of silently ignoring it. Messages start with the node's name and operator.
 */
final class OpNode {
    private final NodeProto node;
    private final Map<String, AttributeProto> attributes = new LinkedHashMap<>();
    private final Set<String> read = new HashSet<>();

    OpNode(NodeProto node, int index) throws ImportError {
        this.node = node;
        for (AttributeProto a : node.getAttributeList()) {
            if (attributes.put(a.getName(), a) != null) throw fail("attribute '" + show(a.getName()) + "' appears twice");
        }
        if (node.getOpType().isEmpty()) throw new ImportError("node " + index + " has no op_type");
    }

    String opType() {
        return node.getOpType();
    }

    String name() {
        return node.getName();
    }

    NodeProto proto() {
        return node;
    }

    /** "node '/fc/Gemm' (Gemm)", or the first output's name for an unnamed node. */
    String describe() {
        String n = node.getName().isEmpty() ? (node.getOutputCount() > 0 ? "with output '" + show(node.getOutput(0)) + "'" : "(unnamed)") : "'" + show(node.getName()) + "'";
        return "node " + n + " (" + show(node.getOpType()) + ")";
    }

    /** A name from the file as messages show it: at most 100 characters, no control characters. */
    static String show(String name) {
        String s = name.length() > 100 ? name.substring(0, 100) + "..." : name;
        return s.replaceAll("\\p{Cntrl}", "?");
    }

    ImportError fail(String problem) {
        return new ImportError(describe() + ": " + problem);
    }

    boolean has(String name) {
        return attributes.containsKey(name);
    }

    long i(String name, long dflt) throws ImportError {
        AttributeProto a = get(name, AttributeType.INT);
        return a == null ? dflt : a.getI();
    }

    /** An int attribute that must fit an int. */
    int intValue(String name, int dflt) throws ImportError {
        long v = i(name, dflt);
        if (v != (int) v) throw fail("attribute " + name + "=" + v + " is out of range");
        return (int) v;
    }

    float f(String name, float dflt) throws ImportError {
        AttributeProto a = get(name, AttributeType.FLOAT);
        return a == null ? dflt : a.getF();
    }

    String s(String name, String dflt) throws ImportError {
        AttributeProto a = get(name, AttributeType.STRING);
        return a == null ? dflt : a.getS().toStringUtf8();
    }

    /** An ints attribute of exactly {@code n} int-sized values, or null when absent. */
    int[] ints(String name, int n) throws ImportError {
        AttributeProto a = get(name, AttributeType.INTS);
        if (a == null) return null;
        if (a.getIntsCount() != n) throw fail("attribute " + name + " has " + a.getIntsCount() + " values " + a.getIntsList() + ", expected " + n);
        int[] v = new int[n];
        for (int k = 0; k < n; k++) {
            long x = a.getInts(k);
            if (x != (int) x) throw fail("attribute " + name + " value " + x + " is out of range");
            v[k] = (int) x;
        }
        return v;
    }

    /** An ints attribute of any length (a few values), or null when absent. */
    long[] longs(String name) throws ImportError {
        AttributeProto a = get(name, AttributeType.INTS);
        if (a == null) return null;
        long[] v = new long[a.getIntsCount()];
        for (int k = 0; k < v.length; k++) v[k] = a.getInts(k);
        return v;
    }

    AttributeProto raw(String name, AttributeType type) throws ImportError {
        return get(name, type);
    }

    /** Fails on the first attribute no conversion read: conv4j would otherwise ignore its meaning. */
    void checkAllRead() throws ImportError {
        for (AttributeProto a : attributes.values()) {
            if (!read.contains(a.getName())) throw fail("attribute '" + show(a.getName()) + "' is not supported");
        }
    }

    private AttributeProto get(String name, AttributeType type) throws ImportError {
        AttributeProto a = attributes.get(name);
        if (a == null) return null;
        read.add(name);
        if (a.hasType() && a.getType() != type) {
            throw fail("attribute " + name + " has type " + a.getType() + ", expected " + type);
        }
        if (!a.getRefAttrName().isEmpty()) throw fail("attribute " + name + " refers to a function attribute, which is not supported");
        return a;
    }
}
