package org.conv4j.kernel;

import org.conv4j.tensor.Tensor;

/**
 * The loops of the soft Dice loss over softmax probabilities laid out (outer, k, inner), with
 * class-index targets (outer, inner); positions whose target is {@code ignore} take no part.
 */
public final class DiceKernel {
    private DiceKernel() {
    }

    /**
     * Per class c, in double: {@code [3c]} the intersection sum p_c over positions labelled c,
     * {@code [3c+1]} the sum of p_c over all counted positions, {@code [3c+2]} the positions labelled c.
     */
    public static double[] sums(Tensor probabilities, Tensor target, int ignore, int outer, int k, int inner) {
        double[] s = new double[3 * k];
        for (int o = 0; o < outer; o++) {
            for (int p = 0; p < inner; p++) {
                int t = (int) target.at(o * inner + p), base = o * k * inner + p;
                if (t == ignore) continue;
                for (int c = 0; c < k; c++) s[3 * c + 1] += probabilities.at(base + c * inner);
                s[3 * t] += probabilities.at(base + t * inner);
                s[3 * t + 2]++;
            }
        }
        return s;
    }

    /**
     * dL/dlogits of {@code L = 1 - mean_c (2 I_c + s) / (P_c + T_c + s)}: first
     * {@code g_c = dL/dp_c = -(2 [t = c] D_c - (2 I_c + s)) / (k D_c^2)} with {@code D_c = P_c + T_c + s},
     * then through the softmax, {@code dx_c = p_c (g_c - sum_j p_j g_j)}; 0 at ignored positions.
     */
    public static void gradient(Tensor probabilities, Tensor target, int ignore, double[] sums, double smooth, int outer, int k, int inner, Tensor dx) {
        double[] g = new double[k];
        float[] d = dx.data();
        int off = dx.offset();
        for (int o = 0; o < outer; o++) {
            for (int p = 0; p < inner; p++) {
                int t = (int) target.at(o * inner + p), base = o * k * inner + p;
                if (t == ignore) {
                    for (int c = 0; c < k; c++) d[off + base + c * inner] = 0f;
                    continue;
                }
                double dot = 0;
                for (int c = 0; c < k; c++) {
                    double den = sums[3 * c + 1] + sums[3 * c + 2] + smooth;
                    g[c] = -((c == t ? 2 * den : 0) - (2 * sums[3 * c] + smooth)) / (k * den * den);
                    dot += g[c] * probabilities.at(base + c * inner);
                }
                for (int c = 0; c < k; c++) d[off + base + c * inner] = (float) (probabilities.at(base + c * inner) * (g[c] - dot));
            }
        }
    }
}
