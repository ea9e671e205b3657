package org.conv4j.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.conv4j.data.RandomCrop;
import org.conv4j.data.RandomHorizontalFlip;
import org.conv4j.data.Transform;
import org.conv4j.io.AtomicFiles;
import org.conv4j.io.ClassNames;
import org.conv4j.io.Json;
import org.conv4j.io.JsonException;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.optim.LrSchedule;
import org.conv4j.tensor.Shape;
import org.conv4j.zoo.Zoo;

/**
 * What a training run is, as far as its result depends on it: the zoo model, the input shape,
 * the classes and their names, the data and how it is split, the optimizer and its settings,
 * the learning-rate schedule, epochs, batch size, seed, augmentation, loss and early stopping.
 * Not included: the thread count (results are bit-identical for any) and where output goes.
 *
 * <p>Saved as a run's {@code config.json} and in every checkpoint's and model file's metadata
 * (key {@value #METADATA_KEY}), so a run can be continued, and its test split found again, from
 * its folder or its files alone. {@link #toJson()} and {@link #fromJson(String)} round-trip it
 * exactly. Reading is strict: an unknown or missing key, a value of the wrong type or out of
 * range is an {@link IllegalArgumentException} naming it; the input's length and nesting are
 * bounded, so a hostile file costs little.
 *
 * <p>The schedule is per epoch and spans {@link #epochs()}: {@code cosine} (to zero at the last
 * epoch), {@code step} (x0.1 every third of the epochs) or {@code constant}. Augmentation is a
 * random crop with a padding of 1/14 of the height and, for 3-channel images, a horizontal flip.
 *
 * <p>The {@code task} is {@value #CLASSIFY} (a class per image) or {@value #SEGMENT} (a class per
 * pixel: the model gives (N, classes, H, W) scores, the data's masks are the targets, the loss is
 * the per-pixel cross-entropy that ignores mask value {@value #IGNORE_INDEX}, and the crops and flips
 * move the masks with the images). A config.json written before tasks existed has no "task" key
 * and reads as {@value #CLASSIFY}.
 */
public record RunConfig(String model, Shape inputShape, List<String> classNames, String data, DataSplit split,
        OptimizerConfig optimizer, String schedule, int epochs, int batchSize, long seed, boolean augment, String loss, int patience, String task) {
    /** The metadata key of the configuration in checkpoints and model files. */
    public static final String METADATA_KEY = "run";
    /** The metadata key of the input shape, "CxHxW", in model files. */
    public static final String INPUT_SHAPE_KEY = "input_shape";
    public static final List<String> SCHEDULES = List.of("cosine", "step", "constant");
    /** The tasks: a class per image, or a class per pixel. */
    public static final String CLASSIFY = "classify", SEGMENT = "segment";
    public static final List<String> TASKS = List.of(CLASSIFY, SEGMENT);
    /** The mask value a segmentation run ignores (pixels of no class). */
    public static final int IGNORE_INDEX = 255;
    /**
     * The losses a run can name: softmax cross-entropy over the classes (per pixel for
     * segmentation), and for segmentation also the Dice loss and the sum of the two.
     */
    public static final List<String> LOSSES = List.of("cross_entropy", "dice", "cross_entropy_dice");
    /** Largest config.json read, in bytes. */
    public static final long MAX_FILE_BYTES = 1L << 27;
    private static final int MAX_DIM = 1 << 16, MAX_COUNT = 1_000_000;

    /**
     * How the data is divided. {@value #GIVEN}: the data set's own training and test parts, with
     * {@code validation} of the training part held out by a seeded random choice; {@value #STRATIFIED}:
     * one pool of labelled images (a flat folder of class folders) divided per class into
     * training, validation and test by {@link org.conv4j.data.Subset#stratified}.
     */
    public record DataSplit(String kind, double validation, double test, long seed) {
        public static final String GIVEN = "given", STRATIFIED = "stratified";

        public DataSplit {
            if (!kind.equals(GIVEN) && !kind.equals(STRATIFIED)) fail("split kind must be '" + GIVEN + "' or '" + STRATIFIED + "', got '" + kind + "'");
            if (!(validation >= 0 && validation < 1)) fail("split validation must be in [0, 1), got " + validation);
            if (!(test >= 0 && test < 1)) fail("split test must be in [0, 1), got " + test);
            if (kind.equals(GIVEN) && test != 0) fail("a '" + GIVEN + "' split takes the data set's own test part, so its test fraction must be 0, got " + test);
            if (kind.equals(STRATIFIED) && !(test > 0 && validation + test < 1)) {
                fail("a '" + STRATIFIED + "' split needs a test fraction above 0 and validation + test below 1, got " + validation + " and " + test);
            }
        }
    }

    /** Validates every field. */
    public RunConfig {
        if (!Zoo.names().contains(model)) fail("unknown model '" + model + "'; known: " + String.join(", ", Zoo.names()));
        if (inputShape.rank() != 3) fail("input_shape must be [C, H, W], got " + inputShape);
        for (int d : inputShape.dims()) if (d < 1 || d > MAX_DIM) fail("input_shape sizes must be in [1, " + MAX_DIM + "], got " + inputShape);
        if ((long) inputShape.dim(0) * inputShape.dim(1) * inputShape.dim(2) > 1 << 28) fail("input_shape " + inputShape + " is too large");
        try {
            classNames = ClassNames.check(classNames, "class_names");
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
        }
        if (data.isBlank()) fail("data must name a data set or directory");
        java.util.Objects.requireNonNull(split, "split");
        java.util.Objects.requireNonNull(optimizer, "optimizer");
        if (!SCHEDULES.contains(schedule)) fail("schedule must be one of " + SCHEDULES + ", got '" + schedule + "'");
        if (epochs < 1 || epochs > MAX_COUNT) fail("epochs must be in [1, " + MAX_COUNT + "], got " + epochs);
        if (batchSize < 1 || batchSize > MAX_COUNT) fail("batch_size must be in [1, " + MAX_COUNT + "], got " + batchSize);
        if (!LOSSES.contains(loss)) fail("loss must be one of " + LOSSES + ", got '" + loss + "'");
        if (patience < 0 || patience > MAX_COUNT) fail("patience must be in [0, " + MAX_COUNT + "], got " + patience);
        if (!TASKS.contains(task)) fail("task must be one of " + TASKS + ", got '" + task + "'");
        if (!task.equals(SEGMENT) && !loss.equals("cross_entropy")) fail("loss '" + loss + "' is for the task '" + SEGMENT + "', not '" + task + "'");
    }

    /** A classification run. */
    public RunConfig(String model, Shape inputShape, List<String> classNames, String data, DataSplit split,
            OptimizerConfig optimizer, String schedule, int epochs, int batchSize, long seed, boolean augment, String loss, int patience) {
        this(model, inputShape, classNames, data, split, optimizer, schedule, epochs, batchSize, seed, augment, loss, patience, CLASSIFY);
    }

    /** True for a segmentation run. */
    public boolean segmentation() {
        return task.equals(SEGMENT);
    }

    private static void fail(String message) {
        throw new IllegalArgumentException("run configuration: " + message);
    }

    public int classes() {
        return classNames.size();
    }

    /** This configuration with another total of epochs (a run extended on resume; the schedule spans the new total). */
    public RunConfig withEpochs(int n) {
        return new RunConfig(model, inputShape, classNames, data, split, optimizer, schedule, n, batchSize, seed, augment, loss, patience, task);
    }

    /** The per-epoch learning-rate schedule over {@link #epochs()}. */
    public LrSchedule lrSchedule() {
        return switch (schedule) {
            case "cosine" -> LrSchedule.cosine(epochs, 0);
            case "step" -> LrSchedule.step(Math.max(1, epochs / 3), 0.1);
            default -> LrSchedule.constant();
        };
    }

    /** The training transforms: none without augmentation. */
    public Transform[] augmentation() {
        if (!augment) return new Transform[0];
        List<Transform> t = new ArrayList<>();
        t.add(new RandomCrop(inputShape.dim(1), inputShape.dim(2), Math.max(1, inputShape.dim(1) / 14)));
        if (inputShape.dim(0) == 3) t.add(new RandomHorizontalFlip());
        return t.toArray(new Transform[0]);
    }

    /** The zoo model with weights initialised from the seed. */
    public Layer buildModel() {
        Init.seed(seed);
        return Zoo.build(model, inputShape.dim(0), inputShape.dim(1), inputShape.dim(2), classes());
    }

    /** The metadata that checkpoints and model files of this run carry: input shape, class names and the configuration. */
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(INPUT_SHAPE_KEY, inputShape.dim(0) + "x" + inputShape.dim(1) + "x" + inputShape.dim(2));
        m.put(ClassNames.METADATA_KEY, ClassNames.toJson(classNames));
        m.put(METADATA_KEY, toJson());
        return m;
    }

    /** The configuration in a file's metadata, or null when it has none. */
    public static RunConfig fromMetadata(Map<String, String> metadata) {
        String json = metadata.get(METADATA_KEY);
        return json == null ? null : fromJson(json);
    }

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", task);
        m.put("model", model);
        m.put("input_shape", List.of((long) inputShape.dim(0), (long) inputShape.dim(1), (long) inputShape.dim(2)));
        m.put("classes", (long) classes());
        m.put("class_names", classNames);
        m.put("data", data);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("kind", split.kind());
        s.put("validation", split.validation());
        s.put("test", split.test());
        s.put("seed", split.seed());
        m.put("split", s);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("name", optimizer.name());
        o.putAll(optimizer.settings());
        m.put("optimizer", o);
        m.put("schedule", schedule);
        m.put("epochs", (long) epochs);
        m.put("batch_size", (long) batchSize);
        m.put("seed", seed);
        m.put("augment", augment);
        m.put("loss", loss);
        m.put("patience", (long) patience);
        return Json.write(m);
    }

    /** Parses {@link #toJson()}'s output, strictly. */
    public static RunConfig fromJson(String json) {
        Object tree;
        try {
            tree = Json.parse(json, 4, Json.DEFAULT_MAX_LENGTH);
        } catch (JsonException e) {
            throw new IllegalArgumentException("run configuration is not valid JSON: " + e.getMessage(), e);
        }
        if (tree instanceof Map<?, ?> map && !map.containsKey("task")) {
            // "task" came later: a configuration without it is a classification run's
            Map<Object, Object> withTask = new LinkedHashMap<>(map);
            withTask.put("task", CLASSIFY);
            tree = withTask;
        }
        Fields f = new Fields(tree, "the configuration", "task", "model", "input_shape", "classes", "class_names", "data", "split", "optimizer",
                "schedule", "epochs", "batch_size", "seed", "augment", "loss", "patience");
        List<?> shape = f.list("input_shape");
        if (shape.size() != 3) fail("input_shape must be [C, H, W], got " + shape.size() + " values");
        int[] dims = new int[3];
        for (int i = 0; i < 3; i++) {
            if (!(shape.get(i) instanceof Long d) || d < 1 || d > MAX_DIM) fail("input_shape must hold 3 integers in [1, " + MAX_DIM + "], got " + Json.write(shape));
            dims[i] = (int) (long) (Long) shape.get(i);
        }
        List<String> names = new ArrayList<>();
        for (Object o : f.list("class_names")) {
            if (!(o instanceof String s)) throw new IllegalArgumentException("run configuration: class_names must hold strings, got " + Json.typeName(o));
            names.add(s);
        }
        long classes = f.integer("classes", 1, ClassNames.MAX_CLASSES);
        if (classes != names.size()) fail("classes is " + classes + " but class_names lists " + names.size());
        Fields s = f.object("split", "kind", "validation", "test", "seed");
        DataSplit split = new DataSplit(s.string("kind"), s.number("validation"), s.number("test"), s.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE));
        Map<String, Object> o = new LinkedHashMap<>(f.object("optimizer").map);
        if (!(o.remove("name") instanceof String name)) throw new IllegalArgumentException("run configuration: optimizer needs a string 'name'");
        return new RunConfig(f.string("model"), Shape.of(dims), names, f.string("data"), split, new OptimizerConfig(name, o),
                f.string("schedule"), (int) f.integer("epochs", 1, MAX_COUNT), (int) f.integer("batch_size", 1, MAX_COUNT),
                f.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE), f.bool("augment"), f.string("loss"), (int) f.integer("patience", 0, MAX_COUNT),
                f.string("task"));
    }

    /** Reads a config.json; a bad one is an {@link IllegalArgumentException} naming the file. */
    public static RunConfig read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) throw new IllegalArgumentException(file + ": " + size + " bytes is over the limit of " + MAX_FILE_BYTES + " for a run configuration");
        try {
            return fromJson(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@link #toJson()} and a newline to {@code file}, atomically. */
    public void write(Path file) throws IOException {
        AtomicFiles.write(file, (toJson() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** A JSON object's values by key, with exactly the keys asked for (when any are given) and typed access. */
    private static final class Fields {
        final Map<String, Object> map;
        final String where;

        @SuppressWarnings("unchecked")
        Fields(Object v, String where, String... keys) {
            if (!(v instanceof Map)) fail(where + " must be a JSON object, got " + Json.typeName(v));
            this.map = (Map<String, Object>) v;
            this.where = where;
            if (keys.length == 0) return;
            List<String> expected = List.of(keys);
            for (String k : map.keySet()) if (!expected.contains(k)) fail("unknown key '" + k + "' in " + where + " (expected " + String.join(", ", expected) + ")");
            for (String k : expected) if (!map.containsKey(k)) fail("missing key '" + k + "' in " + where);
        }

        private Object get(String key) {
            if (!map.containsKey(key)) fail("missing key '" + key + "' in " + where);
            return map.get(key);
        }

        private IllegalArgumentException wrong(String key, String type) {
            return new IllegalArgumentException("run configuration: '" + key + "' in " + where + " must be " + type + ", got " + Json.typeName(map.get(key)));
        }

        String string(String key) {
            if (get(key) instanceof String s) return s;
            throw wrong(key, "a string");
        }

        double number(String key) {
            if (get(key) instanceof Number n) return n.doubleValue();
            throw wrong(key, "a number");
        }

        long integer(String key, long min, long max) {
            if (!(get(key) instanceof Long n)) throw wrong(key, "an integer");
            if (n < min || n > max) fail("'" + key + "' in " + where + " must be in [" + min + ", " + max + "], got " + n);
            return n;
        }

        boolean bool(String key) {
            if (get(key) instanceof Boolean b) return b;
            throw wrong(key, "true or false");
        }

        List<?> list(String key) {
            if (get(key) instanceof List<?> l) return l;
            throw wrong(key, "an array");
        }

        Fields object(String key, String... keys) {
            return new Fields(get(key), "'" + key + "'", keys);
        }
    }
}
