package org.conv4j.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.conv4j.kernel.ConvGeometry;
import org.conv4j.kernel.Elementwise;
import org.conv4j.kernel.Normalization;
import org.conv4j.kernel.Pool;
import org.conv4j.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The memory-bound kernels at the activation maps of the bench cases, batch 64: 2x2 max pooling
 * forward and backward ({@link Pool}), global average pooling, BatchNorm's statistics, normalize
 * and backward ({@link Normalization}), and ReLU forward and backward ({@link Elementwise}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class LayerKernelsBench {
    @Param({"lenet5-6x28x28", "lenet5-16x10x10", "32x32x32", "64x16x16", "16x32x32", "32x16x16", "64x8x8"})
    public String map;

    private int n, c, s;
    private ConvGeometry pool;
    private Tensor x, y, dy, dx, pooled, dpooled, gap, gamma, beta, dgamma, dbeta;
    private int[] argmax;
    private double[] mean, var, invStd;

    @Setup
    public void setup() {
        Shapes.MapShape m = Shapes.map(map);
        n = Shapes.BATCH;
        c = m.c();
        s = m.h() * m.w();
        SplittableRandom rng = new SplittableRandom(1);
        // x, y, dy, dx are (N, C, H, W)
        x = Tensor.randn(rng, 1f, n, c, m.h(), m.w());
        y = Tensor.zeros(x.shape());
        dy = Tensor.randn(rng, 1f, n, c, m.h(), m.w());
        dx = Tensor.zeros(x.shape());
        pool = Pool.geometry("MaxPool2d", c, m.h(), m.w(), 2, 2, 2, 2, 1, 1, 0, 0, false);
        pooled = Tensor.zeros(n, c, pool.oh, pool.ow);
        dpooled = Tensor.randn(rng, 1f, n, c, pool.oh, pool.ow);
        argmax = new int[pooled.size()];
        gap = Tensor.zeros(n, c, 1, 1);
        gamma = Tensor.randn(rng, 1f, c);
        beta = Tensor.randn(rng, 1f, c);
        dgamma = Tensor.zeros(c);
        dbeta = Tensor.zeros(c);
        mean = new double[c];
        var = new double[c];
        invStd = new double[c];
        Normalization.statistics(x, n, c, s, mean, var);
        for (int i = 0; i < c; i++) invStd[i] = 1 / Math.sqrt(var[i] + 1e-5);
        Pool.maxForward(pool, x, pooled, argmax);
        Elementwise.relu(x, y);
    }

    @Benchmark
    public Tensor maxPoolForward() {
        Pool.maxForward(pool, x, pooled, argmax);
        return pooled;
    }

    @Benchmark
    public Tensor maxPoolBackward() {
        Pool.maxBackward(pool, dpooled, argmax, dx);
        return dx;
    }

    @Benchmark
    public Tensor globalAvgPoolForward() {
        Pool.globalAvgForward(x, gap);
        return gap;
    }

    @Benchmark
    public Tensor batchNormTrainForward() {
        Normalization.statistics(x, n, c, s, mean, var);
        Normalization.normalize(x, n, c, s, mean, invStd, gamma, beta, y);
        return y;
    }

    @Benchmark
    public Tensor batchNormBackward() {
        Normalization.backward(x, n, c, s, mean, invStd, gamma, dy, dx, dgamma, dbeta);
        return dx;
    }

    @Benchmark
    public Tensor reluForward() {
        Elementwise.relu(x, y);
        return y;
    }

    @Benchmark
    public Tensor reluBackward() {
        Elementwise.reluBackward(y, dy, dx);
        return dx;
    }
}
