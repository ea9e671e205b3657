package org.conv4j.kernel;

import org.conv4j.tensor.Tensor;

/**
 * Batch-normalization loops (SPEC 1 "Batch normalization"). The input is viewed as
 * (N, C, S): BatchNorm1d's (N, K) is S = 1, BatchNorm2d's (N, C, H, W) is S = H*W. Statistics
 * are per channel over the M = N*S values of that channel:
 * <pre>
 *   mean = sum(x) / M,   var = sum((x - mean)^2) / M            (biased, used to normalize)
 *   xhat = (x - mean) * invStd,   invStd = 1 / sqrt(var + eps)
 *   y    = gamma * xhat + beta
 * </pre>
 * Backward through the batch statistics (002's {@code __backward}, simplified):
 * <pre>
 *   dbeta  += sum(dy),   dgamma += sum(dy * xhat)
 *   dx      = gamma * invStd * (dy - sum(dy) / M - xhat * sum(dy * xhat) / M)
 * </pre>
 * With fixed (running) statistics the backward is the affine map {@code dx = gamma * invStd * dy}.
 *
 * <p>Every fast loop is parallel over channels, one task per channel, each summing its channel
 * in a fixed order (in double), so results are bit-identical for any thread count. On the SIMD
 * path the sums widen floats to double vectors (where {@link Simd#widening}), and the
 * element-wise passes run in float with the mean split into a float and its remainder (as
 * accurate as rounding {@code x - mean} computed in double).
 */
public final class Normalization {
    private Normalization() {
    }

    /**
     * Per-channel mean and biased variance of x (N, C, S), in double, in one pass over x: the sums
     * of d = x - k and of d^2 about k, the channel's first value, give mean = k + sum/M and
     * var = (sum(d^2) - sum * sum/M) / M. Shifted by a value of the channel, the subtraction loses
     * about (mean - k)^2 / var ulps of a double: nothing a float result sees. (A second pass
     * over x for the squared deviations from the mean cost a quarter of a TRAIN forward's time.)
     */
    public static void statistics(Tensor x, int n, int c, int s, double[] mean, double[] var) {
        float[] xd = x.data();
        int xo = x.offset();
        double m = (double) n * s;
        double[] sums = new double[2 * c];   // channel ch's at 2ch: one array a call, not one a channel
        Parallel.forEach(c, ch -> {
            double k = xd[xo + ch * s];
            for (int i = 0; i < n; i++) rowSums(xd, xo + (i * c + ch) * s, s, k, sums, 2 * ch);
            double sum = sums[2 * ch], d = sum / m;
            mean[ch] = k + d;
            var[ch] = Math.max(0, (sums[2 * ch + 1] - sum * d) / m);
        });
    }

    // out[o] += sum of x - center, out[o + 1] += sum of (x - center)^2, over one row
    private static void rowSums(float[] xd, int at, int s, double center, double[] out, int o) {
        if (Simd.widening()) {
            VectorArrays.sumAndSquares(xd, at, s, center, out, o);
            return;
        }
        double a0 = 0, a1 = 0, q0 = 0, q1 = 0;
        int j = 0;
        for (; j + 2 <= s; j += 2) {
            double d0 = xd[at + j] - center, d1 = xd[at + j + 1] - center;
            a0 += d0;
            a1 += d1;
            q0 += d0 * d0;
            q1 += d1 * d1;
        }
        for (; j < s; j++) {
            double d = xd[at + j] - center;
            a0 += d;
            q0 += d * d;
        }
        out[o] += a0 + a1;
        out[o + 1] += q0 + q1;
    }

    // sum of x over one row, in double (the convolutions' bias gradient); the scalar path keeps four
    // independent accumulators: one long chain of dependent additions would stall on their latency
    static double rowSum(float[] xd, int at, int s) {
        if (Simd.widening()) return VectorArrays.sum(xd, at, s);
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        int j = 0;
        for (; j + 4 <= s; j += 4) {
            a0 += xd[at + j];
            a1 += xd[at + j + 1];
            a2 += xd[at + j + 2];
            a3 += xd[at + j + 3];
        }
        for (; j < s; j++) a0 += xd[at + j];
        return (a0 + a1) + (a2 + a3);
    }

    // out[0] += sum(dy), out[1] += sum(dy * (x - center)) over one row
    private static void rowGradientSums(float[] dyd, int dyAt, float[] xd, int xAt, int s, double center, double[] out) {
        if (Simd.widening()) {
            VectorArrays.sumGradients(dyd, dyAt, xd, xAt, s, center, out);
            return;
        }
        double g0 = 0, g1 = 0, p0 = 0, p1 = 0;
        int j = 0;
        for (; j + 2 <= s; j += 2) {
            double a = dyd[dyAt + j], b = dyd[dyAt + j + 1];
            g0 += a;
            g1 += b;
            p0 += a * (xd[xAt + j] - center);
            p1 += b * (xd[xAt + j + 1] - center);
        }
        for (; j < s; j++) {
            double a = dyd[dyAt + j];
            g0 += a;
            p0 += a * (xd[xAt + j] - center);
        }
        out[0] += g0 + g1;
        out[1] += p0 + p1;
    }

    public static void referenceStatistics(Tensor x, int n, int c, int s, double[] mean, double[] var) {
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int i = 0; i < n; i++) for (int j = 0; j < s; j++) sum += x.at((i * c + ch) * s + j);
            mean[ch] = sum / ((double) n * s);
            double sq = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < s; j++) sq += Math.pow(x.at((i * c + ch) * s + j) - mean[ch], 2);
            }
            var[ch] = sq / ((double) n * s);
        }
    }

    /** {@code y = gamma * (x - mean) * invStd + beta}, per channel. */
    public static void normalize(Tensor x, int n, int c, int s, double[] mean, double[] invStd,
                                 Tensor gamma, Tensor beta, Tensor y) {
        float[] xd = x.data(), yd = y.data();
        int xo = x.offset(), yo = y.offset();
        Parallel.forEach(c, ch -> {
            // x - mu in double (mu rounded to float would cost precision when the spread is small), the rest in float
            double mu = mean[ch];
            float scale = (float) ((gamma == null ? 1.0 : gamma.at(ch)) * invStd[ch]);
            float shift = beta == null ? 0f : beta.at(ch);
            for (int i = 0; i < n; i++) {
                int r = (i * c + ch) * s;
                if (Simd.enabled()) {
                    VectorArrays.normalizeRow(xd, xo + r, yd, yo + r, s, mu, scale, shift);
                    continue;
                }
                for (int j = 0; j < s; j++) yd[yo + r + j] = (float) (xd[xo + r + j] - mu) * scale + shift;
            }
        });
    }

    public static void referenceNormalize(Tensor x, int n, int c, int s, double[] mean, double[] invStd,
                                          Tensor gamma, Tensor beta, Tensor y) {
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                double g = gamma == null ? 1 : gamma.at(ch), b = beta == null ? 0 : beta.at(ch);
                for (int j = 0; j < s; j++) {
                    int at = (i * c + ch) * s + j;
                    double xhat = (x.at(at) - mean[ch]) * invStd[ch];
                    y.data()[y.offset() + at] = (float) (g * xhat + b);
                }
            }
        }
    }

    /**
     * Backward through the batch statistics of a TRAIN forward: dx is overwritten, dgamma and
     * dbeta (either may be null) are added to. {@code mean} and {@code invStd} are the batch's.
     */
    public static void backward(Tensor x, int n, int c, int s, double[] mean, double[] invStd, Tensor gamma,
                                Tensor dy, Tensor dx, Tensor dgamma, Tensor dbeta) {
        float[] xd = x.data(), dyd = dy.data(), dxd = dx.data();
        int xo = x.offset(), dyo = dy.offset(), dxo = dx.offset();
        double m = (double) n * s;
        Parallel.forEach(c, ch -> {
            double mu = mean[ch], is = invStd[ch];
            double[] sums = new double[2];
            for (int i = 0; i < n; i++) {
                int r = (i * c + ch) * s;
                rowGradientSums(dyd, dyo + r, xd, xo + r, s, mu, sums);
            }
            double sumDy = sums[0], sumDyXhat = sums[1] * is;
            if (dbeta != null) dbeta.data()[dbeta.offset() + ch] += (float) sumDy;
            if (dgamma != null) dgamma.data()[dgamma.offset() + ch] += (float) sumDyXhat;
            // dx = k * (dy - a - xhat * b) with xhat = (x - mu) * is
            double k = (gamma == null ? 1.0 : gamma.at(ch)) * is, a = sumDy / m, b = sumDyXhat / m * is;
            for (int i = 0; i < n; i++) {
                int r = (i * c + ch) * s;
                if (Simd.enabled()) {
                    VectorArrays.batchNormGradientRow(xd, xo + r, dyd, dyo + r, dxd, dxo + r, s, mu, (float) k, (float) a, (float) (k * b));
                    continue;
                }
                for (int j = 0; j < s; j++) dxd[dxo + r + j] = (float) (k * (dyd[dyo + r + j] - a - (xd[xo + r + j] - mu) * b));
            }
        });
    }

    /**
     * 002's {@code BatchNormalization.__backward}, step by step, per channel: it recomputes the
     * batch statistics from x with {@code eps}, so it also checks those of the fast forward.
     */
    public static void referenceBackward(Tensor x, int n, int c, int s, double eps, Tensor gamma,
                                         Tensor dy, Tensor dx, Tensor dgamma, Tensor dbeta) {
        int m = n * s;
        double[] mean = new double[c], var = new double[c];
        referenceStatistics(x, n, c, s, mean, var);
        for (int ch = 0; ch < c; ch++) {
            double[] xc = new double[m], dout = new double[m], dxc = new double[m];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < s; j++) {
                    xc[i * s + j] = x.at((i * c + ch) * s + j) - mean[ch];
                    dout[i * s + j] = dy.at((i * c + ch) * s + j);
                }
            }
            double std = Math.sqrt(var[ch] + eps), g = gamma == null ? 1 : gamma.at(ch);
            double dbetaSum = 0, dgammaSum = 0, dstd = 0;
            for (int k = 0; k < m; k++) {
                dbetaSum += dout[k];                         // dbeta = dout.sum(axis=0)
                dgammaSum += xc[k] / std * dout[k];          // dgamma = sum(xn * dout)
                double dxn = g * dout[k];                    // dxn = gamma * dout
                dxc[k] = dxn / std;                          // dxc = dxn / std
                dstd -= dxn * xc[k] / (std * std);           // dstd = -sum(dxn * xc / (std * std))
            }
            double dvar = 0.5 * dstd / std, dmu = 0;         // dvar = 0.5 * dstd / std
            for (int k = 0; k < m; k++) {
                dxc[k] += 2.0 / m * xc[k] * dvar;            // dxc += (2 / M) * xc * dvar
                dmu += dxc[k];                               // dmu = sum(dxc)
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < s; j++) {
                    dx.data()[dx.offset() + (i * c + ch) * s + j] = (float) (dxc[i * s + j] - dmu / m); // dx = dxc - dmu / M
                }
            }
            if (dbeta != null) dbeta.data()[dbeta.offset() + ch] += (float) dbetaSum;
            if (dgamma != null) dgamma.data()[dgamma.offset() + ch] += (float) dgammaSum;
        }
    }

    /**
     * Backward of an EVAL forward, whose statistics are constants: {@code dx = gamma * invStd * dy}
     * (overwritten), {@code dgamma += sum(dy * xhat)}, {@code dbeta += sum(dy)}.
     */
    public static void affineBackward(Tensor x, int n, int c, int s, double[] mean, double[] invStd, Tensor gamma,
                                      Tensor dy, Tensor dx, Tensor dgamma, Tensor dbeta) {
        float[] xd = x.data(), dyd = dy.data(), dxd = dx.data();
        int xo = x.offset(), dyo = dy.offset(), dxo = dx.offset();
        Parallel.forEach(c, ch -> {
            double mu = mean[ch], is = invStd[ch], k = (gamma == null ? 1.0 : gamma.at(ch)) * is;
            double sumDy = 0, sumDyXhat = 0;
            for (int i = 0; i < n; i++) {
                int r = (i * c + ch) * s;
                for (int j = 0; j < s; j++) {
                    double g = dyd[dyo + r + j];
                    sumDy += g;
                    sumDyXhat += g * ((xd[xo + r + j] - mu) * is);
                    dxd[dxo + r + j] = (float) (k * g);
                }
            }
            if (dbeta != null) dbeta.data()[dbeta.offset() + ch] += (float) sumDy;
            if (dgamma != null) dgamma.data()[dgamma.offset() + ch] += (float) sumDyXhat;
        });
    }

    public static void referenceAffineBackward(Tensor x, int n, int c, int s, double[] mean, double[] invStd, Tensor gamma,
                                               Tensor dy, Tensor dx, Tensor dgamma, Tensor dbeta) {
        for (int ch = 0; ch < c; ch++) {
            double g = gamma == null ? 1 : gamma.at(ch), sumDy = 0, sumDyXhat = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < s; j++) {
                    int at = (i * c + ch) * s + j;
                    sumDy += dy.at(at);
                    sumDyXhat += dy.at(at) * (x.at(at) - mean[ch]) * invStd[ch];
                    dx.data()[dx.offset() + at] = (float) (g * invStd[ch] * dy.at(at));
                }
            }
            if (dbeta != null) dbeta.data()[dbeta.offset() + ch] += (float) sumDy;
            if (dgamma != null) dgamma.data()[dgamma.offset() + ch] += (float) sumDyXhat;
        }
    }
}
