package org.conv4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.conv4j.onnx.proto.OnnxProto.GraphProto;
import org.conv4j.onnx.proto.OnnxProto.NodeProto;
import org.conv4j.onnx.proto.OnnxProto.TensorProto;

/**
 * Asserts two ONNX graphs are the same computation: the same nodes in the same order with the
 * same operators, attributes and wiring, and the same initializers (type, dimensions, bytes).
 * Names of nodes, intermediate values and initializers may differ (an imported model renames its
 * layers, "features.0" becoming "features_0"), so values are compared by what produces them.
 */
final class SameGraph {
    private SameGraph() {
    }

    static void assertSame(GraphProto expected, GraphProto actual) {
        assertEquals(expected.getInput(0), actual.getInput(0), "graph input");
        assertEquals(expected.getOutput(0), actual.getOutput(0), "graph output");
        assertEquals(ops(expected), ops(actual), "operators");
        assertEquals(expected.getInitializerCount(), actual.getInitializerCount(), "initializers");
        Map<String, String> e = canonicalNames(expected), a = canonicalNames(actual);
        Map<String, TensorProto> eInit = initializers(expected), aInit = initializers(actual);
        for (int i = 0; i < expected.getNodeCount(); i++) {
            NodeProto en = expected.getNode(i), an = actual.getNode(i);
            String where = "node " + i + " (" + en.getOpType() + " '" + en.getName() + "' / '" + an.getName() + "')";
            assertEquals(en.getAttributeList(), an.getAttributeList(), where + ": attributes");
            assertEquals(en.getInputCount(), an.getInputCount(), where + ": inputs");
            for (int k = 0; k < en.getInputCount(); k++) {
                String ein = en.getInput(k), ain = an.getInput(k);
                assertEquals(e.get(ein), a.get(ain), where + ": input " + k + " ('" + ein + "' / '" + ain + "')");
                if (eInit.containsKey(ein)) {
                    TensorProto et = eInit.get(ein), at = aInit.get(ain);
                    assertEquals(et.getDataType(), at.getDataType(), where + ": type of " + ein);
                    assertEquals(et.getDimsList(), at.getDimsList(), where + ": dimensions of " + ein);
                    assertTrue(et.getRawData().equals(at.getRawData()), where + ": the values of " + ein + " differ");
                }
            }
            assertEquals(en.getOutputCount(), an.getOutputCount(), where + ": outputs");
        }
    }

    private static List<String> ops(GraphProto g) {
        return g.getNodeList().stream().map(NodeProto::getOpType).toList();
    }

    private static Map<String, TensorProto> initializers(GraphProto g) {
        Map<String, TensorProto> m = new HashMap<>();
        for (TensorProto t : g.getInitializerList()) m.put(t.getName(), t);
        return m;
    }

    /** Each value's name by its producer: the graph input, "node i output k", or "initializer: the j-th one a node reads". */
    private static Map<String, String> canonicalNames(GraphProto g) {
        Map<String, TensorProto> init = initializers(g);
        Map<String, String> m = new HashMap<>();
        m.put(g.getInput(0).getName(), "graph input");
        int weights = 0;
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            for (String in : n.getInputList()) if (init.containsKey(in) && !m.containsKey(in)) m.put(in, "initializer " + weights++);
            for (int k = 0; k < n.getOutputCount(); k++) m.put(n.getOutput(k), "node " + i + " output " + k);
        }
        return m;
    }
}
