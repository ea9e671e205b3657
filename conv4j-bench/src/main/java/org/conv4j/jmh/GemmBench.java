package org.conv4j.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.conv4j.bench.GemmShape;
import org.conv4j.kernel.Gemm;
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

/** {@link Gemm#gemm} at the bench's GEMM sizes (the conv layers' per-image products, the batch-64 Linear ones) and the 1024^3 peak. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBench {
    @Param({"lenet5-conv1", "lenet5-conv2", "lenet5-fc1", "lenet5-fc2", "vgg-conv2", "vgg-conv3", "vgg-conv4", "vgg-fc1",
            "resnet-l1", "resnet-l2", "resnet-l3", "peak-1024"})
    public String shape;

    private GemmShape s;
    private float[] a, b, c;

    @Setup
    public void setup() {
        s = Shapes.gemm(shape);
        SplittableRandom rng = new SplittableRandom(1);
        a = Tensor.randn(rng, 1f, s.m() * s.k()).data();
        b = Tensor.randn(rng, 1f, s.k() * s.n()).data();
        c = new float[s.m() * s.n()];
    }

    @Benchmark
    public float[] gemm() {
        Gemm.gemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), a, 0, s.lda(), b, 0, s.ldb(), c, 0, s.n(), false);
        return c;
    }
}
