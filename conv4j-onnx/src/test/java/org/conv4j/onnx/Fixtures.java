package org.conv4j.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.conv4j.onnx.proto.OnnxProto.TensorProto;
import org.conv4j.tensor.Tensor;

/** The committed fixtures of tools/onnx_fixtures.py: NAME.onnx, NAME.input.pb, NAME.output.pb. */
final class Fixtures {
    static final Path DIR = Path.of("conv4j-onnx/src/test/resources/onnx");

    private Fixtures() {
    }

    static List<String> names() {
        try {
            return Files.readAllLines(DIR.resolve("index.txt")).stream().filter(s -> !s.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path model(String name) {
        return DIR.resolve(name + ".onnx");
    }

    static Tensor input(String name) throws IOException {
        return tensor(DIR.resolve(name + ".input.pb"));
    }

    static Tensor output(String name) throws IOException {
        return tensor(DIR.resolve(name + ".output.pb"));
    }

    /** A serialized float TensorProto with raw_data, as onnx.numpy_helper.from_array writes it. */
    static Tensor tensor(Path file) throws IOException {
        TensorProto t = TensorProto.parseFrom(Files.readAllBytes(file));
        int[] dims = t.getDimsList().stream().mapToInt(Long::intValue).toArray();
        float[] v = new float[t.getRawData().size() / 4];
        t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return Tensor.of(v, dims);
    }

    /** max |a - e| over max |e|: the error relative to the output's scale. */
    static double relativeError(Tensor actual, Tensor expected) {
        if (!actual.shape().equals(expected.shape())) throw new AssertionError("shape " + actual.shape() + ", expected " + expected.shape());
        double diff = 0, scale = 0;
        for (int i = 0; i < expected.size(); i++) {
            diff = Math.max(diff, Math.abs(actual.at(i) - expected.at(i)));
            scale = Math.max(scale, Math.abs(expected.at(i)));
        }
        return diff / scale;
    }

}
