package org.conv4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;
import org.conv4j.nn.BatchNorm1d;
import org.conv4j.nn.BatchNorm2d;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Mode;
import org.conv4j.nn.Parameter;
import org.conv4j.onnx.proto.OnnxProto.ModelProto;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/** Runs an exported model in ONNX Runtime and compares it with conv4j's own EVAL forward. */
final class OrtRun {
    /** The tolerance: the largest difference over the largest magnitude of conv4j's output. */
    static final double RELATIVE = 1e-4;

    private OrtRun() {
    }

    /** ONNX Runtime's output for the model's one input {@code x}, with its shape. */
    static Tensor run(ModelProto model, Tensor x) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] dims = new long[x.rank()];
        for (int i = 0; i < dims.length; i++) dims[i] = x.dim(i);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model.toByteArray(), options);
                 OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toArray()), dims);
                 OrtSession.Result r = session.run(Map.of(OnnxExport.INPUT, in))) {
                OnnxTensor y = (OnnxTensor) r.get(OnnxExport.OUTPUT).orElseThrow();
                long[] shape = y.getInfo().getShape();
                int[] d = new int[shape.length];
                for (int i = 0; i < d.length; i++) d[i] = Math.toIntExact(shape[i]);
                FloatBuffer b = y.getFloatBuffer();
                float[] values = new float[b.remaining()];
                b.get(values);
                return Tensor.of(values, d);
            }
        }
    }

    /** Exports the model for x's (C, H, W), runs it in ONNX Runtime and asserts it gives conv4j's EVAL output; returns the export. */
    static ModelProto assertSameOutputs(Layer model, Tensor x) throws OrtException {
        ModelProto onnx = OnnxExport.export(model, Shape.of(x.dim(1), x.dim(2), x.dim(3)));
        assertClose(model.forward(x, Mode.EVAL), run(onnx, x), model.getClass().getSimpleName());
        return onnx;
    }

    static void assertClose(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape().dims(), actual.shape().dims(), what + ": output shape");
        float[] e = expected.toArray(), a = actual.toArray();
        double scale = 0, diff = 0;
        for (int i = 0; i < e.length; i++) {
            scale = Math.max(scale, Math.abs(e[i]));
            diff = Math.max(diff, Math.abs(e[i] - a[i]));
        }
        assertTrue(scale > 0, what + ": conv4j's output is all zeros, which proves nothing");
        assertTrue(diff <= RELATIVE * scale, what + ": ONNX Runtime differs from conv4j by " + diff + ", over "
                + RELATIVE + " of the output's largest magnitude " + scale);
    }

    /** A seeded random (N, C, H, W) input in [-1, 1). */
    static Tensor input(long seed, int... dims) {
        return Tensor.uniform(new SplittableRandom(seed), -1, 1, dims);
    }

    /** Batch norms with random statistics and affine parameters, so a mix-up of the four shows. */
    static void randomizeBatchNorms(Layer layer, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        randomize(layer, rng);
    }

    // gamma and running_var in [0.5, 1.5), beta and running_mean in [-0.2, 0.2)
    private static void randomize(Layer layer, SplittableRandom rng) {
        if (layer instanceof BatchNorm2d || layer instanceof BatchNorm1d) {
            for (Parameter p : layer.parameters()) {
                boolean positive = p.name().equals("running_var") || p.name().equals("weight");
                Tensor t = p.value();
                for (int i = 0; i < t.size(); i++) {
                    t.data()[t.offset() + i] = (float) (positive ? 0.5 + rng.nextDouble() : rng.nextDouble() * 0.4 - 0.2);
                }
            }
        }
        for (Layer child : layer.children().values()) randomize(child, rng);
    }
}
