package org.conv4j.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Parameter;
import org.conv4j.tensor.Tensor;

/**
 * Loads a PyTorch {@code state_dict} saved as safetensors into a conv4j model whose parameter
 * names are PyTorch's, as the zoo's torchvision networks are ({@code features.0.weight},
 * {@code layer1.0.bn1.running_mean}, {@code layer1.0.downsample.1.weight}, {@code fc.bias}).
 * The file is what {@code safetensors.torch.save_file(model.state_dict(), path)} writes, or
 * {@code tools/torch_to_safetensors.py} (which needs no {@code safetensors} package):
 * float32 tensors, and BatchNorm's {@code num_batches_tracked} as an int64 scalar.
 *
 * <p>Every model parameter and buffer must be in the file with its shape, and the file may hold
 * nothing else, except {@code <bn>.num_batches_tracked} for each BatchNorm {@code <bn>} of the
 * model: accepted (int64 or float32, one value) and ignored, as conv4j's BatchNorm always uses its
 * momentum (PyTorch reads the count only when {@code momentum=None}). Otherwise the load fails
 * before any data are read, with one message listing every missing, unexpected and wrong-shape
 * key with the shapes. The file is read by {@link SafeTensors}, which validates every size
 * against the file before allocating.
 */
public final class PyTorchWeights {
    private static final String BATCHES = ".num_batches_tracked";

    private PyTorchWeights() {
    }

    /** Copies the tensors of {@code file} into {@code model}'s parameters and buffers, by name. */
    public static void load(Layer model, Path file) throws IOException {
        Map<String, Parameter> params = Layers.namedParameters(model);
        SafeTensors.Contents contents = SafeTensors.read(file, ReadLimits.DEFAULT, header -> check(file, params, header),
                e -> !e.name().endsWith(BATCHES));
        for (Map.Entry<String, Parameter> p : params.entrySet()) p.getValue().value().copyFrom(contents.tensors().get(p.getKey()));
    }

    // all the mismatches at once, so one run shows what to fix
    private static void check(Path file, Map<String, Parameter> params, SafeTensors.Header header) throws ModelFormatException {
        Map<String, SafeTensors.Entry> entries = new LinkedHashMap<>();
        for (SafeTensors.Entry e : header.entries()) entries.put(e.name(), e);
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), wrong = new ArrayList<>();
        for (Map.Entry<String, Parameter> p : params.entrySet()) {
            SafeTensors.Entry e = entries.get(p.getKey());
            Tensor value = p.getValue().value();
            long[] expected = Arrays.stream(value.shape().dims()).asLongStream().toArray();
            if (e == null) {
                missing.add(p.getKey() + " " + Arrays.toString(expected));
            } else if (!e.dtype().equals(SafeTensors.F32) || !Arrays.equals(expected, e.shape())) {
                wrong.add(p.getKey() + ": file " + describe(e) + ", model " + Arrays.toString(expected));
            }
        }
        for (SafeTensors.Entry e : entries.values()) {
            if (params.containsKey(e.name())) continue;
            if (e.name().endsWith(BATCHES) && isBatchNorm(params, e.name())) {
                if (e.elements() != 1) wrong.add(e.name() + ": file " + describe(e) + ", model one value (a count)");
                continue;
            }
            unexpected.add(e.name() + " " + describe(e));
        }
        if (missing.isEmpty() && unexpected.isEmpty() && wrong.isEmpty()) return;
        List<String> parts = new ArrayList<>();
        if (!missing.isEmpty()) parts.add(missing.size() + " missing (" + String.join(", ", missing) + ")");
        if (!unexpected.isEmpty()) parts.add(unexpected.size() + " unexpected (" + String.join(", ", unexpected) + ")");
        if (!wrong.isEmpty()) parts.add(wrong.size() + " wrong shape (" + String.join("; ", wrong) + ")");
        throw new ModelFormatException(file, "the PyTorch weights do not fit the model: " + String.join("; ", parts));
    }

    // "<bn>.num_batches_tracked" belongs to a BatchNorm of the model when "<bn>.running_mean" is one of its buffers
    private static boolean isBatchNorm(Map<String, Parameter> params, String name) {
        return params.containsKey(name.substring(0, name.length() - BATCHES.length()) + ".running_mean");
    }

    private static String describe(SafeTensors.Entry e) {
        return (e.dtype().equals(SafeTensors.F32) ? "" : e.dtype() + " ") + Arrays.toString(e.shape());
    }
}
