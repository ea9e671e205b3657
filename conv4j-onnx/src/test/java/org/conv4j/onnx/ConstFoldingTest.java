package org.conv4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.conv4j.onnx.proto.OnnxProto.AttributeProto;
import org.conv4j.onnx.proto.OnnxProto.NodeProto;
import org.junit.jupiter.api.Test;

/** The shape arithmetic evaluated at import time, against values worked out by hand (ONNX's semantics). */
class ConstFoldingTest {
    private static ConstTensor longs(long[] dims, long... v) {
        return ConstTensor.ofLongs(dims, v);
    }

    private static ConstTensor eval(String op, List<ConstTensor> in, AttributeProto... attributes) throws ImportError {
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(op).setName("n").addOutput("y");
        for (AttributeProto a : attributes) b.addAttribute(a);
        return ConstFolding.eval(new OpNode(b.build(), 0), in, 13);
    }

    @Test
    void gatherTakesIndicesCountingFromTheEndToo() throws Exception {
        ConstTensor shape = longs(new long[] {4}, ConstTensor.BATCH, 16, 5, 5);
        ConstTensor r = eval("Gather", List.of(shape, longs(new long[0], 0)));
        assertEquals(0, r.rank());
        assertArrayEquals(new long[] {ConstTensor.BATCH}, r.longs());
        assertArrayEquals(new long[] {5, 16}, eval("Gather", List.of(shape, longs(new long[] {2}, -1, 1))).longs());
        ImportError e = assertThrows(ImportError.class, () -> eval("Gather", List.of(shape, longs(new long[0], 4))));
        assertEquals("node 'n' (Gather): index 4 is out of range for a dimension of 4", e.getMessage());
    }

    @Test
    void sliceWithNegativeStepReversesAndClampsHugeEnds() throws Exception {
        // PyTorch's pad pattern: [[1, 2], [3, 4]] sliced with start -1, end -huge, step -1 on axis 0
        ConstTensor m = longs(new long[] {2, 2}, 1, 2, 3, 4);
        ConstTensor r = eval("Slice", List.of(m, longs(new long[] {1}, -1), longs(new long[] {1}, -9223372036854775807L),
                longs(new long[] {1}, 0), longs(new long[] {1}, -1)));
        assertArrayEquals(new long[] {2, 2}, r.dims());
        assertArrayEquals(new long[] {3, 4, 1, 2}, r.longs());
        ConstTensor v = longs(new long[] {5}, 0, 1, 2, 3, 4);
        assertArrayEquals(new long[] {1, 3}, eval("Slice", List.of(v, longs(new long[] {1}, 1), longs(new long[] {1}, Long.MAX_VALUE),
                longs(new long[] {1}, 0), longs(new long[] {1}, 2))).longs());
        assertArrayEquals(new long[] {4}, eval("Slice", List.of(v, longs(new long[] {1}, -1), longs(new long[] {1}, 100),
                longs(new long[] {1}, 0), longs(new long[] {1}, Long.MAX_VALUE))).longs());
    }

    @Test
    void transposeReshapeUnsqueezeSqueezeConcat() throws Exception {
        ConstTensor m = longs(new long[] {2, 3}, 1, 2, 3, 4, 5, 6);
        assertArrayEquals(new long[] {1, 4, 2, 5, 3, 6}, eval("Transpose", List.of(m), Onnx.ints("perm", 1, 0)).longs());
        assertArrayEquals(new long[] {3, 2}, eval("Reshape", List.of(m, longs(new long[] {2}, -1, 2))).dims());
        ConstTensor u = eval("Unsqueeze", List.of(longs(new long[0], 7), longs(new long[] {1}, 0)));
        assertArrayEquals(new long[] {1}, u.dims());
        assertArrayEquals(new long[] {3}, eval("Squeeze", List.of(longs(new long[] {1, 3, 1}, 1, 2, 3), longs(new long[] {2}, 0, -1))).dims());
        ConstTensor c = eval("Concat", List.of(longs(new long[] {1}, ConstTensor.BATCH), longs(new long[] {1}, -1)), Onnx.i("axis", 0));
        assertArrayEquals(new long[] {ConstTensor.BATCH, -1}, c.longs());
    }

    @Test
    void missingInputsAndHugeResultsAreRefused() {
        ImportError e = assertThrows(ImportError.class, () -> eval("Gather", List.of(longs(new long[] {1}, 3))));
        assertEquals("node 'n' (Gather): input 1 is missing", e.getMessage());
        e = assertThrows(ImportError.class, () -> eval("Reshape", Arrays.asList(longs(new long[] {1}, 3), null)));
        assertEquals("node 'n' (Reshape): input 1 is missing", e.getMessage());
        e = assertThrows(ImportError.class, () -> eval("ConstantOfShape", List.of(longs(new long[] {2}, 1 << 20, 1 << 20))));
        assertEquals("node 'n' (ConstantOfShape): shape [1048576, 1048576] is not a small constant shape", e.getMessage());
        e = assertThrows(ImportError.class, () -> eval("Cast", List.of(longs(new long[] {1}, ConstTensor.BATCH)), Onnx.i("to", 1)));
        assertEquals("node 'n' (Cast): casts the batch size, which is only known at run time", e.getMessage());
    }
}
