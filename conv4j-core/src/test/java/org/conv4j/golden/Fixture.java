package org.conv4j.golden;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.conv4j.tensor.Tensor;

/**
 * One golden case written by {@code tools/pytorch_fixtures.py}: a header of key=value
 * configuration and named float32 tensors (the format is documented at the top of that
 * script). Read with the JDK alone from the test class path ({@code /fixtures/...}).
 *
 * <p>{@link #tensor} returns a fresh copy and records the name as used, so a test can
 * {@link #unused() check} that it compared everything the fixture holds.
 */
final class Fixture {
    private final String path;
    private final Map<String, String> header;
    private final Map<String, Tensor> tensors;
    private final Set<String> used = new LinkedHashSet<>();

    private Fixture(String path, Map<String, String> header, Map<String, Tensor> tensors) {
        this.path = path;
        this.header = header;
        this.tensors = tensors;
    }

    /** Every case of a family ("conv2d", "linear" ...), in the index's (sorted) order. */
    static List<Fixture> family(String family) {
        List<Fixture> out = new ArrayList<>();
        for (String p : index()) if (p.startsWith(family + "/")) out.add(load(p));
        if (out.isEmpty()) throw new IllegalStateException("no fixtures for family '" + family + "' in /fixtures/index.txt");
        return out;
    }

    /** The paths listed in {@code /fixtures/index.txt}, "family/case.txt". */
    static List<String> index() {
        try (BufferedReader r = open("index.txt")) {
            List<String> paths = new ArrayList<>();
            for (String line; (line = r.readLine()) != null; ) if (!line.isBlank()) paths.add(line.strip());
            return paths;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Fixture load(String path) {
        try (BufferedReader r = open(path)) {
            return parse(path, r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static BufferedReader open(String path) {
        InputStream in = Fixture.class.getResourceAsStream("/fixtures/" + path);
        if (in == null) throw new IllegalStateException("fixture resource /fixtures/" + path + " not found");
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /** Parses the text format; every malformed line fails with the file name and line number. */
    static Fixture parse(String path, Reader source) throws IOException {
        BufferedReader r = source instanceof BufferedReader ? (BufferedReader) source : new BufferedReader(source);
        Map<String, String> header = null;
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        int lineNo = 0;
        for (String line; (line = r.readLine()) != null; ) {
            lineNo++;
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.strip().split(" ");
            if (header == null) {
                header = new LinkedHashMap<>();
                for (String kv : f) {
                    int eq = kv.indexOf('=');
                    if (eq <= 0) throw bad(path, lineNo, "header item '" + kv + "' is not key=value");
                    header.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                continue;
            }
            if (!f[0].equals("tensor") || f.length < 3) throw bad(path, lineNo, "expected 'tensor NAME d0 d1 ...', got '" + abbreviate(line) + "'");
            String name = f[1];
            int[] dims = new int[f.length - 2];
            for (int i = 0; i < dims.length; i++) dims[i] = Integer.parseInt(f[i + 2]);
            String values = r.readLine();
            lineNo++;
            if (values == null) throw bad(path, lineNo, "tensor " + name + " has no line of values");
            String[] v = values.isBlank() ? new String[0] : values.strip().split(" ");
            float[] data = new float[v.length];
            for (int i = 0; i < v.length; i++) data[i] = Float.parseFloat(v[i]);
            long need = 1;
            for (int d : dims) need *= d;
            if (need != data.length) throw bad(path, lineNo, "tensor " + name + " of shape " + Arrays.toString(dims) + " needs " + need + " values, got " + data.length);
            if (tensors.put(name, Tensor.of(data, dims)) != null) throw bad(path, lineNo, "tensor " + name + " appears twice");
        }
        if (header == null) throw bad(path, lineNo, "no header line");
        return new Fixture(path, header, tensors);
    }

    private static IllegalStateException bad(String path, int line, String why) {
        return new IllegalStateException("fixture " + path + " line " + line + ": " + why);
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }

    String path() {
        return path;
    }

    /** The case name, the file name without ".txt". */
    String name() {
        return get("case");
    }

    String get(String key) {
        String v = header.get(key);
        if (v == null) throw new IllegalStateException("fixture " + path + " has no header key '" + key + "'");
        return v;
    }

    int integer(String key) {
        return Integer.parseInt(get(key));
    }

    float number(String key) {
        return Float.parseFloat(get(key));
    }

    /** A comma-separated list of integers, "3,2". */
    int[] ints(String key) {
        return Arrays.stream(get(key).split(",")).mapToInt(Integer::parseInt).toArray();
    }

    boolean bool(String key) {
        String v = get(key);
        if (!v.equals("true") && !v.equals("false")) throw new IllegalStateException("fixture " + path + ": " + key + "=" + v + " is not a boolean");
        return v.equals("true");
    }

    boolean has(String tensor) {
        return tensors.containsKey(tensor);
    }

    /** A copy of the named tensor, marked as used. */
    Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalStateException("fixture " + path + " has no tensor '" + name + "' (it has " + tensors.keySet() + ")");
        used.add(name);
        return t.copy();
    }

    /** Names of the tensors no {@link #tensor} call has read yet. */
    Set<String> unused() {
        Set<String> rest = new LinkedHashSet<>(tensors.keySet());
        rest.removeAll(used);
        return Collections.unmodifiableSet(rest);
    }

    @Override
    public String toString() {
        return path;
    }
}
