package org.conv4j.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.conv4j.io.Json;
import org.conv4j.io.ModelFile;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Parameter;
import org.conv4j.optim.OptimizerState;
import org.conv4j.tensor.Tensor;

/**
 * A training checkpoint: a {@link ModelFile} whose extra tensors are the optimizer's state
 * ({@code optimizer.*}) and whose extra metadata are the user's entries and, under
 * {@value #KEY}, the trainer's state as JSON: epochs_done, best, epochs_without_improvement,
 * seed, optimizer_type, optimizer_scalars, history (rows of numbers) and history_columns (their
 * names; checkpoints written before it have the {@link #LEGACY_COLUMNS}).
 */
final class TrainerState {
    static final String KEY = "trainer";
    private static final String OPTIMIZER_PREFIX = "optimizer.";
    static final List<String> LEGACY_COLUMNS = List.of("epoch", "lr", "train_loss", "train_accuracy", "val_loss", "val_accuracy",
            "val_top5", "seconds", "images_per_second");

    private TrainerState() {
    }

    static void save(Trainer t, Path file) throws IOException {
        OptimizerState s = t.optimizer().state();
        Map<String, Tensor> extra = new LinkedHashMap<>();
        s.tensors().forEach((k, v) -> extra.put(OPTIMIZER_PREFIX + k, v));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("epochs_done", (long) t.epochsDone());
        state.put("best", Double.isNaN(t.monitor().best()) ? null : t.monitor().best());
        state.put("epochs_without_improvement", (long) t.monitor().epochsWithoutImprovement());
        state.put("seed", Long.toString(t.seed()));
        state.put("optimizer_type", s.type());
        state.put("optimizer_scalars", new LinkedHashMap<String, Object>(s.scalars()));
        List<Object> rows = new ArrayList<>();
        for (EpochResult r : t.history()) {
            List<Object> row = new ArrayList<>();
            for (double v : r.values()) row.add(Double.isFinite(v) ? v : null);
            rows.add(row);
        }
        state.put("history", rows);
        state.put("history_columns", new ArrayList<Object>(columns(t)));
        Map<String, String> meta = new LinkedHashMap<>(t.metadata());
        meta.put(KEY, Json.write(state));
        ModelFile.save(t.model(), file, extra, meta);
    }

    // the columns of the history: epoch, lr, the trainer's figures, seconds, images_per_second
    private static List<String> columns(Trainer t) {
        List<String> c = new ArrayList<>(List.of("epoch", "lr"));
        c.addAll(t.figureNames());
        c.addAll(List.of("seconds", "images_per_second"));
        return c;
    }

    static void restore(Trainer t, Path file) throws IOException {
        ModelFile.Contents c = ModelFile.read(file);
        String json = c.extraMetadata().get(KEY);
        if (json == null) throw new IOException(file + " is a model file, not a training checkpoint (no trainer state)");
        Map<String, Parameter> mine = Layers.namedParameters(t.model());
        Map<String, Parameter> theirs = Layers.namedParameters(c.model());
        if (!mine.keySet().equals(theirs.keySet())) {
            throw new IllegalArgumentException("checkpoint " + file + " holds a different model: parameters " + theirs.keySet() + " vs " + mine.keySet());
        }
        for (Map.Entry<String, Parameter> e : mine.entrySet()) {
            Tensor src = theirs.get(e.getKey()).value();
            if (!src.shape().equals(e.getValue().value().shape())) {
                throw new IllegalArgumentException("checkpoint " + file + ": " + e.getKey() + " has shape " + src.shape() + ", the model has " + e.getValue().value().shape());
            }
        }
        Map<String, Object> state;
        List<String> columns;
        try {
            state = Json.parseObject(json);
            columns = state.containsKey("history_columns") ? strings((List<?>) state.get("history_columns")) : LEGACY_COLUMNS;
        } catch (RuntimeException e) {
            throw new IOException(file + ": invalid trainer state in checkpoint: " + e.getMessage(), e);
        }
        if (!columns.equals(columns(t))) {
            throw new IllegalArgumentException("checkpoint " + file + " recorded the figures " + columns + " but this trainer records "
                    + columns(t) + "; resume with the same metrics");
        }
        for (Map.Entry<String, Parameter> e : mine.entrySet()) e.getValue().value().copyFrom(theirs.get(e.getKey()).value());
        try {
            restore(t, state, columns, c.extraTensors(), c.extraMetadata());
        } catch (RuntimeException e) {
            throw new IOException(file + ": invalid trainer state in checkpoint: " + e.getMessage(), e);
        }
    }

    private static void restore(Trainer t, Map<String, Object> state, List<String> columns, Map<String, Tensor> extraTensors,
                                Map<String, String> extraMetadata) {
        Map<String, Tensor> optTensors = new LinkedHashMap<>();
        extraTensors.forEach((k, v) -> {
            if (k.startsWith(OPTIMIZER_PREFIX)) optTensors.put(k.substring(OPTIMIZER_PREFIX.length()), v);
        });
        Map<String, Double> scalars = new LinkedHashMap<>();
        ((Map<?, ?>) state.get("optimizer_scalars")).forEach((k, v) -> scalars.put((String) k, ((Number) v).doubleValue()));
        t.optimizer().loadState(new OptimizerState((String) state.get("optimizer_type"), optTensors, scalars));
        List<EpochResult> history = new ArrayList<>();
        for (Object row : (List<?>) state.get("history")) {
            List<?> values = (List<?>) row;
            double[] v = new double[values.size()];
            for (int i = 0; i < v.length; i++) v[i] = values.get(i) == null ? Double.NaN : ((Number) values.get(i)).doubleValue();
            history.add(EpochResult.of(columns, v));
        }
        Object best = state.get("best");
        Map<String, String> metadata = new LinkedHashMap<>(extraMetadata);
        metadata.remove(KEY);
        t.restore(((Number) state.get("epochs_done")).intValue(), Long.parseLong((String) state.get("seed")),
                best == null ? Double.NaN : ((Number) best).doubleValue(), ((Number) state.get("epochs_without_improvement")).intValue(),
                history, metadata);
    }

    private static List<String> strings(List<?> list) {
        List<String> out = new ArrayList<>();
        for (Object o : list) out.add((String) o);
        return out;
    }
}
