package org.conv4j.onnx;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.conv4j.nn.Layer;
import org.conv4j.onnx.proto.OnnxProto.ModelProto;
import org.conv4j.onnx.proto.OnnxProto.OperatorSetIdProto;
import org.conv4j.tensor.Shape;

/**
 * Reads an ONNX model (as PyTorch's exporter writes it, opsets 11 to 21) into a conv4j model
 * that runs, is summarised, fine-tuned and saved with {@link org.conv4j.io.ModelFile}: a
 * {@link org.conv4j.nn.Sequential} when the graph is a chain, else a {@link org.conv4j.nn.Graph}.
 * Weights come from the initializers (raw_data or float_data; external data is refused).
 *
 * <pre>{@code
 * Layer model = OnnxImport.load(Path.of("resnet18.onnx"));
 * Tensor logits = model.forward(images, Mode.EVAL);
 * }</pre>
 *
 * <p>Everything is checked while loading: an operator or attribute conv4j does not import fails
 * with its name and the node's, and a truncated, corrupt or hostile file fails with an
 * {@link OnnxFormatException} before any allocation larger than the file itself.
 */
public final class OnnxImport {
    /** The protobuf nesting depth allowed (ONNX nests graphs only inside control-flow attributes). */
    static final int RECURSION_LIMIT = 32;
    static final int MIN_OPSET = 11, MAX_OPSET = 21;

    /** An imported model and the per-sample input shape its file declares ((C, H, W) for images). */
    public record Imported(Layer model, Shape inputShape) {
    }

    private OnnxImport() {
    }

    /** The model in an .onnx file. */
    public static Layer load(Path file) throws IOException {
        return read(file).model();
    }

    /** The model in an .onnx file, with its input shape. */
    public static Imported read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 8) throw new OnnxFormatException(file.toString(), "is " + size + " bytes; ONNX files are limited to 2 GiB");
        return read(Files.readAllBytes(file), file.toString());
    }

    /** The model in a stream, read to its end (at most 2 GiB). */
    public static Imported read(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(Integer.MAX_VALUE - 8);
        if (in.read() >= 0) throw new OnnxFormatException("<stream>", "is larger than 2 GiB, the limit of ONNX files");
        return read(bytes, "<stream>");
    }

    /** The model in these bytes; {@code source} names them in messages. */
    public static Imported read(byte[] bytes, String source) throws OnnxFormatException {
        ModelProto model = parse(bytes, source);
        try {
            if (!model.hasGraph()) throw new ImportError("not an ONNX model: no graph (is it an .onnx file?)");
            Importer importer = new Importer(model.getGraph(), opset(model));
            Layer layer = importer.run();
            return new Imported(layer, importer.sampleShape());
        } catch (ImportError e) {
            throw new OnnxFormatException(source, e.getMessage());
        }
    }

    private static ModelProto parse(byte[] bytes, String source) throws OnnxFormatException {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(RECURSION_LIMIT);
            in.setSizeLimit(bytes.length);
            ModelProto m = ModelProto.parseFrom(in);
            in.checkLastTagWas(0);
            return m;
        } catch (IOException e) {
            // InvalidProtocolBufferException; a byte array raises nothing else
            throw new OnnxFormatException(source, "not a valid ONNX file (" + firstSentence(e.getMessage()) + ")");
        }
    }

    private static int opset(ModelProto model) throws ImportError {
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                long v = o.getVersion();
                if (v < MIN_OPSET || v > MAX_OPSET) {
                    throw new ImportError("opset " + v + " is not supported (conv4j imports opsets " + MIN_OPSET + " to " + MAX_OPSET + "; PyTorch: torch.onnx.export(..., opset_version=13))");
                }
                return (int) v;
            }
        }
        throw new ImportError("not an ONNX model: it imports no ONNX operator set");
    }

    /** protobuf's first sentence, which says what broke; the rest is advice for protobuf's own users. */
    private static String firstSentence(String s) {
        if (s == null) return "corrupt protobuf";
        String t = s.replaceAll("\\s+", " ").trim();
        int end = t.indexOf(". ");
        return end > 0 ? t.substring(0, end) : t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
    }
}
