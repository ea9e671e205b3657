package org.conv4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.conv4j.onnx.proto.OnnxProto.ModelProto;

/** Export, import, export: the second export must be the first one's graph. */
final class RoundTrip {
    private RoundTrip() {
    }

    /** Imports {@code exported} and exports the result again; returns the imported model. */
    static OnnxImport.Imported assertSameGraph(ModelProto exported, String what) throws Exception {
        OnnxImport.Imported imported = OnnxImport.read(exported.toByteArray(), what);
        var in = exported.getGraph().getInput(0).getType().getTensorType().getShape();
        assertEquals(org.conv4j.tensor.Shape.of((int) in.getDim(1).getDimValue(), (int) in.getDim(2).getDimValue(),
                (int) in.getDim(3).getDimValue()), imported.inputShape(), what + ": the input shape read back");
        SameGraph.assertSame(exported.getGraph(), OnnxExport.export(imported.model(), imported.inputShape()).getGraph());
        return imported;
    }
}
