package org.conv4j.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Parameter;
import org.conv4j.tensor.Tensor;

/**
 * One model in one file (DESIGN "Files"): a safetensors file whose tensors are the model's
 * parameters and buffers under their dotted names ({@link Layers#namedParameters}, e.g.
 * {@code "0.weight"}), and whose metadata hold {@code "format": "conv4j"}, the format version
 * and the architecture as JSON ({@link Architecture}). PyTorch reads the weights with
 * {@code safetensors.torch.load_file}.
 *
 * <p>Loading rebuilds the model from the architecture (only registered layer types), then
 * checks, before reading any value, that the file holds every expected tensor with the
 * expected shape and nothing else, and copies the values in. A checkpoint is the same format
 * plus extra tensors (optimizer state) and extra metadata (trainer state): their names are
 * listed in the metadata, so they are told apart from unexpected tensors.
 *
 * <p>Security: the file is data only. Nothing in it names a Java class, and every size is
 * validated against the file length before memory is allocated, so a hostile file can only
 * cause a {@link ModelFormatException}.
 */
public final class ModelFile {
    /** The value of {@link #FORMAT_KEY} in our files. */
    public static final String FORMAT = "conv4j";
    /** The format version written; files of a later version are refused. */
    public static final int VERSION = 1;
    public static final String FORMAT_KEY = "format";
    public static final String VERSION_KEY = "conv4j.version";
    public static final String ARCHITECTURE_KEY = "conv4j.architecture";
    /** A JSON array of the names of the extra (non-model) tensors. */
    public static final String EXTRA_TENSORS_KEY = "conv4j.extra_tensors";
    private static final String RESERVED_PREFIX = "conv4j.";
    /**
     * Parameter values an architecture may allocate beyond those the file holds (64 MB): enough
     * that a small mismatch is reported as the missing tensor it is, small enough that a
     * hostile architecture cannot exhaust memory.
     */
    static final long ALLOCATION_MARGIN = 1L << 24;

    private ModelFile() {
    }

    /** A loaded model with the extra tensors and metadata saved beside it. */
    public record Contents(Layer model, Map<String, Tensor> extraTensors, Map<String, String> extraMetadata) {
    }

    /** Saves the architecture and the weights of {@code model}, atomically. */
    public static void save(Layer model, Path file) throws IOException {
        save(model, file, Map.of(), Map.of());
    }

    /**
     * Saves {@code model} with extra tensors (names must differ from the model's) and extra
     * metadata (keys must not be {@code "format"} or start with {@code "conv4j."}).
     */
    public static void save(Layer model, Path file, Map<String, Tensor> extraTensors, Map<String, String> extraMetadata) throws IOException {
        String architecture = Architecture.toJson(model);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : Layers.namedParameters(model).entrySet()) tensors.put(e.getKey(), e.getValue().value());
        List<Object> extraNames = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : extraTensors.entrySet()) {
            if (tensors.containsKey(e.getKey())) {
                throw new IllegalArgumentException("ModelFile: extra tensor '" + e.getKey() + "' has the name of a model parameter");
            }
            tensors.put(e.getKey(), e.getValue());
            extraNames.add(e.getKey());
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(FORMAT_KEY, FORMAT);
        metadata.put(VERSION_KEY, Integer.toString(VERSION));
        metadata.put(ARCHITECTURE_KEY, architecture);
        if (!extraNames.isEmpty()) metadata.put(EXTRA_TENSORS_KEY, Json.write(extraNames));
        for (Map.Entry<String, String> e : extraMetadata.entrySet()) {
            if (isReserved(e.getKey())) {
                throw new IllegalArgumentException("ModelFile: metadata key '" + e.getKey() + "' is reserved ('" + FORMAT_KEY + "' and '" + RESERVED_PREFIX + "*')");
            }
            metadata.put(e.getKey(), e.getValue());
        }
        SafeTensors.write(file, tensors, metadata);
    }

    /** Loads a model saved by {@link #save}; any extras are read and dropped. */
    public static Layer load(Path file) throws IOException {
        return read(file).model();
    }

    /** As {@link #load(Path)}, within the caller's limits on the header. */
    public static Layer load(Path file, ReadLimits limits) throws IOException {
        return read(file, limits).model();
    }

    /** Loads a model and the extra tensors and metadata saved with it. */
    public static Contents read(Path file) throws IOException {
        return read(file, ReadLimits.DEFAULT);
    }

    /** As {@link #read(Path)}, within the caller's limits on the header. */
    public static Contents read(Path file, ReadLimits limits) throws IOException {
        Layer[] model = new Layer[1];
        Set<String> extras = new LinkedHashSet<>();
        SafeTensors.Contents contents;
        try {
            contents = SafeTensors.read(file, limits, header -> {
                Map<String, String> meta = header.metadata();
                checkFormat(file, meta);
                extras.addAll(extraNames(file, meta));
                long values = 0;
                for (SafeTensors.Entry e : header.entries()) values += e.elements();
                model[0] = architecture(file, meta.get(ARCHITECTURE_KEY), values + ALLOCATION_MARGIN, limits);
                checkTensors(file, model[0], header, extras);
            });
        } catch (ModelFormatException e) {
            // a file that is not safetensors at all (a text file, an image): say what it is not
            if (e.problem().startsWith("header length") || e.problem().startsWith("not a safetensors file") || e.problem().startsWith("header does not start")) {
                throw new ModelFormatException(file, "not a conv4j model file (" + e.problem() + ")", e);
            }
            throw e;
        }
        copyWeights(model[0], contents.tensors());
        Map<String, Tensor> extraTensors = new LinkedHashMap<>();
        for (String name : extras) extraTensors.put(name, contents.tensors().get(name));
        Map<String, String> extraMetadata = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : contents.metadata().entrySet()) {
            if (!isReserved(e.getKey())) extraMetadata.put(e.getKey(), e.getValue());
        }
        return new Contents(model[0], Collections.unmodifiableMap(extraTensors), Collections.unmodifiableMap(extraMetadata));
    }

    /**
     * Loads only the weights of a safetensors file into an existing model of the same
     * architecture (a conv4j file, or a PyTorch {@code state_dict} saved with safetensors under
     * the same names): every parameter must be present with its shape, and no other tensor
     * (beyond a conv4j file's declared extras) may be.
     */
    public static void loadWeights(Layer model, Path file) throws IOException {
        SafeTensors.Contents contents = SafeTensors.read(file, ReadLimits.DEFAULT, header -> checkTensors(file, model, header, extraNames(file, header.metadata())));
        copyWeights(model, contents.tensors());
    }

    private static boolean isReserved(String key) {
        return key.equals(FORMAT_KEY) || key.startsWith(RESERVED_PREFIX);
    }

    private static void checkFormat(Path file, Map<String, String> meta) throws ModelFormatException {
        String format = meta.get(FORMAT_KEY);
        if (!FORMAT.equals(format)) {
            throw new ModelFormatException(file, "not a conv4j model file: metadata '" + FORMAT_KEY + "' is "
                    + (format == null ? "missing" : "'" + format + "'") + ", expected '" + FORMAT + "' (plain weights load with ModelFile.loadWeights)");
        }
        String version = meta.get(VERSION_KEY);
        int v;
        try {
            v = Integer.parseInt(version == null ? "" : version);
        } catch (NumberFormatException e) {
            throw new ModelFormatException(file, "metadata '" + VERSION_KEY + "' must be an integer, got " + (version == null ? "nothing" : "'" + version + "'"));
        }
        if (v < 1 || v > VERSION) {
            throw new ModelFormatException(file, "format version " + v + " is not supported; this conv4j reads version 1 to " + VERSION);
        }
        if (meta.get(ARCHITECTURE_KEY) == null) throw new ModelFormatException(file, "metadata '" + ARCHITECTURE_KEY + "' is missing");
    }

    private static Set<String> extraNames(Path file, Map<String, String> meta) throws ModelFormatException {
        String json = meta.get(EXTRA_TENSORS_KEY);
        Set<String> out = new LinkedHashSet<>();
        if (json == null) return out;
        Object list;
        try {
            list = Json.parse(json, 2, SafeTensors.MAX_HEADER_BYTES);
        } catch (JsonException e) {
            throw new ModelFormatException(file, "metadata '" + EXTRA_TENSORS_KEY + "' is not valid JSON: " + e.getMessage(), e);
        }
        if (!(list instanceof List)) throw new ModelFormatException(file, "metadata '" + EXTRA_TENSORS_KEY + "' must be a JSON array, got " + Json.typeName(list));
        for (Object name : (List<?>) list) {
            if (!(name instanceof String)) throw new ModelFormatException(file, "metadata '" + EXTRA_TENSORS_KEY + "' must hold strings, got " + Json.typeName(name));
            if (!out.add((String) name)) throw new ModelFormatException(file, "metadata '" + EXTRA_TENSORS_KEY + "' lists '" + name + "' twice");
        }
        return out;
    }

    /** Decodes the architecture, allocating at most {@code maxValues} parameter values (file's values plus the margin). */
    private static Layer architecture(Path file, String json, long maxValues, ReadLimits limits) throws ModelFormatException {
        Object tree;
        try {
            tree = Json.parse(json, Json.DEFAULT_MAX_DEPTH, SafeTensors.MAX_HEADER_BYTES, limits.maxJsonValues());
        } catch (JsonException e) {
            throw new ModelFormatException(file, "architecture is not valid JSON: " + e.getMessage(), e);
        }
        try {
            return Architecture.decode(tree, maxValues, limits.maxLayers());
        } catch (RuntimeException e) {
            // a codec's or a layer constructor's validation: report it as what it is, a bad file
            throw new ModelFormatException(file, "architecture: " + e.getMessage(), e);
        }
    }

    /** Every parameter present with its shape, every other tensor a declared extra; nothing read yet. */
    private static void checkTensors(Path file, Layer model, SafeTensors.Header header, Set<String> extras) throws ModelFormatException {
        Map<String, SafeTensors.Entry> entries = new LinkedHashMap<>();
        for (SafeTensors.Entry e : header.entries()) entries.put(e.name(), e);
        Map<String, Parameter> params = Layers.namedParameters(model);
        for (Map.Entry<String, Parameter> p : params.entrySet()) {
            SafeTensors.Entry e = entries.get(p.getKey());
            int[] expected = p.getValue().value().shape().dims();
            if (e == null) {
                throw new ModelFormatException(file, "missing tensor '" + p.getKey() + "' (shape " + Arrays.toString(expected) + ") of the model");
            }
            if (!Arrays.equals(Arrays.stream(expected).asLongStream().toArray(), e.shape())) {
                throw new ModelFormatException(file, "tensor '" + p.getKey() + "' has shape " + Arrays.toString(e.shape()) + ", the model expects " + Arrays.toString(expected));
            }
            if (extras.contains(p.getKey())) throw new ModelFormatException(file, "extra tensor '" + p.getKey() + "' has the name of a model parameter");
        }
        for (String extra : extras) {
            if (!entries.containsKey(extra)) throw new ModelFormatException(file, "missing extra tensor '" + extra + "' listed in '" + EXTRA_TENSORS_KEY + "'");
        }
        for (String name : entries.keySet()) {
            if (!params.containsKey(name) && !extras.contains(name)) {
                throw new ModelFormatException(file, "unexpected tensor '" + name + "': the model has no parameter or buffer of that name");
            }
        }
    }

    private static void copyWeights(Layer model, Map<String, Tensor> tensors) {
        for (Map.Entry<String, Parameter> p : Layers.namedParameters(model).entrySet()) p.getValue().value().copyFrom(tensors.get(p.getKey()));
    }
}
