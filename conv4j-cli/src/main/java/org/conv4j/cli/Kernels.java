package org.conv4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The fixed image-filtering kernels of SPEC 4 by name, and a strict parser for kernel matrices.
 *
 * <p>Named kernels (rows top to bottom, cross-correlation as {@link org.conv4j.nn.Conv2d} computes it):
 * <ul>
 * <li>{@code edge}: the 1x3 {@code [1, 0, -1]} of SPEC 4(a), {@code y[i][j] = x[i][j] - x[i][j+2]};</li>
 * <li>{@code laplacian}: {@code [[-1,-1,-1],[-1,8,-1],[-1,-1,-1]] / 8}, SPEC 4(b);</li>
 * <li>{@code prewitt-x} {@code [[-1,0,1],[-1,0,1],[-1,0,1]]} (vertical edges), {@code prewitt-y} its
 * transpose (horizontal edges), {@code prewitt} the magnitude {@code sqrt(gx^2 + gy^2)}, SPEC 4(d);</li>
 * <li>{@code sobel-x} {@code [[-1,0,1],[-2,0,2],[-1,0,1]]}, {@code sobel-y} its transpose, {@code sobel} the magnitude;</li>
 * <li>{@code meanK} (K = 1..{@value #MAX_SIZE}, e.g. {@code mean3}, {@code mean5}): a KxK kernel of 1/K^2, SPEC 4(c);</li>
 * <li>{@code gaussian}: {@code exp(-(u^2+v^2) / (2 sigma^2))} normalised to sum 1, of size
 * {@code 2*ceil(3 sigma)+1} (sigma 1 by default: 7x7).</li>
 * </ul>
 * A matrix literal is {@code [[a,b,...],[c,d,...],...]} (equal row lengths) or one row {@code [a,b,c]},
 * optionally followed by {@code /d}, e.g. {@code [[-1,-1,-1],[-1,8,-1],[-1,-1,-1]]/8}.
 */
final class Kernels {
    /** The largest kernel side accepted, by name or as a matrix. */
    static final int MAX_SIZE = 101;

    private Kernels() {
    }

    /**
     * A filter: one kernel, or two (x and y) combined as the magnitude {@code sqrt(gx^2 + gy^2)}.
     * {@code derivative} says whether it measures change (weights summing to 0), which picks the default
     * 8-bit mapping: |v| scaled to the maximum for derivatives, clamping for smoothing kernels.
     */
    record Kernel(String name, List<float[][]> components, boolean derivative) {
        int height() {
            return components.get(0).length;
        }

        int width() {
            return components.get(0)[0].length;
        }

        boolean magnitude() {
            return components.size() == 2;
        }
    }

    /** The names for help and error messages. */
    static final String NAMES = "edge, laplacian, prewitt-x, prewitt-y, prewitt, sobel-x, sobel-y, sobel, meanK (mean3, mean5, ...), gaussian";

    /** A named kernel or a matrix literal (text starting with '['); sigma is used by {@code gaussian} only. */
    static Kernel resolve(String spec, double sigma) {
        String s = spec.trim();
        if (s.startsWith("[")) {
            float[][] k = parseMatrix(s);
            double sum = 0, abs = 0;
            for (float[] row : k) {
                for (float v : row) {
                    sum += v;
                    abs += Math.abs(v);
                }
            }
            return new Kernel(s, one(k), Math.abs(sum) <= 1e-6 * abs);
        }
        String n = s.toLowerCase(Locale.ROOT);
        switch (n) {
            case "edge":
                return new Kernel(n, one(new float[][] {{1, 0, -1}}), true);
            case "laplacian":
                return new Kernel(n, one(scale(new float[][] {{-1, -1, -1}, {-1, 8, -1}, {-1, -1, -1}}, 1f / 8)), true);
            case "prewitt-x":
                return new Kernel(n, one(prewittX()), true);
            case "prewitt-y":
                return new Kernel(n, one(transpose(prewittX())), true);
            case "prewitt":
                return new Kernel(n, List.of(prewittX(), transpose(prewittX())), true);
            case "sobel-x":
                return new Kernel(n, one(sobelX()), true);
            case "sobel-y":
                return new Kernel(n, one(transpose(sobelX())), true);
            case "sobel":
                return new Kernel(n, List.of(sobelX(), transpose(sobelX())), true);
            case "gaussian":
                return new Kernel(n, one(gaussian(sigma)), false);
            default:
                break;
        }
        if (n.matches("mean[0-9]{1,3}")) {
            int k = Integer.parseInt(n.substring(4));
            if (k < 1 || k > MAX_SIZE) throw new Main.UsageError("mean kernel size must be 1.." + MAX_SIZE + ", got " + k);
            float[][] m = new float[k][k];
            for (float[] row : m) java.util.Arrays.fill(row, 1f / (k * k));
            return new Kernel(n, one(m), false);
        }
        throw new Main.UsageError("unknown kernel '" + spec + "'; known: " + NAMES + ", or a matrix such as [[1,0,-1]]");
    }

    /** A Gaussian blur kernel: size 2*ceil(3 sigma)+1 (covers +-3 sigma), weights summing to 1. */
    static float[][] gaussian(double sigma) {
        if (!(sigma > 0) || sigma > 16) throw new Main.UsageError("--sigma must be in (0, 16], got " + sigma);
        int r = (int) Math.ceil(3 * sigma), k = 2 * r + 1;
        double[][] g = new double[k][k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                g[i][j] = Math.exp(-((i - r) * (i - r) + (j - r) * (j - r)) / (2 * sigma * sigma));
                sum += g[i][j];
            }
        }
        float[][] out = new float[k][k];
        for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) out[i][j] = (float) (g[i][j] / sum);
        return out;
    }

    private static List<float[][]> one(float[][] k) {
        return java.util.Collections.singletonList(k);
    }

    private static float[][] prewittX() {
        return new float[][] {{-1, 0, 1}, {-1, 0, 1}, {-1, 0, 1}};
    }

    private static float[][] sobelX() {
        return new float[][] {{-1, 0, 1}, {-2, 0, 2}, {-1, 0, 1}};
    }

    private static float[][] transpose(float[][] m) {
        float[][] t = new float[m[0].length][m.length];
        for (int i = 0; i < m.length; i++) for (int j = 0; j < m[0].length; j++) t[j][i] = m[i][j];
        return t;
    }

    private static float[][] scale(float[][] m, float f) {
        for (float[] row : m) for (int j = 0; j < row.length; j++) row[j] *= f;
        return m;
    }

    /**
     * Parses {@code [[1,0,-1],[2,0,-2]]}, {@code [1,0,-1]} (one row) or either followed by {@code /d}.
     * Whitespace is allowed between tokens; anything else is an error naming the position.
     */
    static float[][] parseMatrix(String text) {
        Parser p = new Parser(text);
        List<double[]> rows = new ArrayList<>();
        p.skipSpace();
        int open = p.pos;
        p.expect('[');
        p.skipSpace();
        if (p.peek() == '[') {
            while (true) {
                rows.add(p.row());
                p.skipSpace();
                if (p.peek() == ']') break;
                if (p.peek() != ',') throw p.error("expected ',' or ']'");
                p.pos++;
                p.skipSpace();
                if (p.peek() != '[') throw p.error("expected '[' to start the next row");
            }
            p.expect(']');
        } else {
            p.pos = open; // the '[' we consumed starts the single row
            rows.add(p.row());
        }
        double divisor = 1;
        p.skipSpace();
        if (p.peek() == '/') {
            p.pos++;
            divisor = p.number();
            if (divisor == 0) throw new Main.UsageError("malformed kernel matrix '" + text + "': division by zero");
        }
        p.skipSpace();
        if (p.pos < text.length()) throw p.error("unexpected text after the matrix");
        int w = rows.get(0).length;
        for (int i = 1; i < rows.size(); i++) {
            if (rows.get(i).length != w) {
                throw new Main.UsageError("malformed kernel matrix '" + text + "': row " + (i + 1) + " has " + rows.get(i).length
                        + (rows.get(i).length == 1 ? " value" : " values") + " but row 1 has " + w);
            }
        }
        if (rows.size() > MAX_SIZE || w > MAX_SIZE) {
            throw new Main.UsageError("kernel matrix is " + rows.size() + "x" + w + "; at most " + MAX_SIZE + "x" + MAX_SIZE);
        }
        float[][] k = new float[rows.size()][w];
        for (int i = 0; i < k.length; i++) for (int j = 0; j < w; j++) k[i][j] = (float) (rows.get(i)[j] / divisor);
        return k;
    }

    /** A hand-written recursive-descent reader, so every error can say where it is. */
    private static final class Parser {
        final String text;
        int pos;

        Parser(String text) {
            this.text = text;
        }

        char peek() {
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) pos++;
        }

        void expect(char c) {
            skipSpace();
            if (peek() != c) throw error("expected '" + c + "'");
            pos++;
        }

        double[] row() {
            expect('[');
            List<Double> v = new ArrayList<>();
            skipSpace();
            if (peek() == ']') throw error("empty row");
            while (true) {
                v.add(number());
                skipSpace();
                if (peek() == ']') {
                    pos++;
                    break;
                }
                if (peek() != ',') throw error("expected ',' or ']'");
                pos++;
            }
            double[] out = new double[v.size()];
            for (int i = 0; i < out.length; i++) out[i] = v.get(i);
            return out;
        }

        double number() {
            skipSpace();
            int start = pos;
            while (pos < text.length() && "+-.0123456789eE".indexOf(text.charAt(pos)) >= 0) pos++;
            String t = text.substring(start, pos);
            if (t.isEmpty() || !t.matches("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
                pos = start;
                throw error("expected a number");
            }
            double d = Double.parseDouble(t);
            if (!Double.isFinite(d)) {
                pos = start;
                throw error("number out of range");
            }
            return d;
        }

        Main.UsageError error(String what) {
            String got = pos < text.length() ? "'" + text.charAt(pos) + "'" : "the end";
            return new Main.UsageError("malformed kernel matrix '" + text + "': " + what + " at character " + (pos + 1) + ", got " + got);
        }
    }
}
