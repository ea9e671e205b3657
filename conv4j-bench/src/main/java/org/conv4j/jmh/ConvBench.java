package org.conv4j.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.conv4j.kernel.Conv;
import org.conv4j.kernel.ConvGeometry;
import org.conv4j.kernel.Im2col;
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
 * The convolution kernels at every conv layer of the bench cases, batch 64: {@link Conv#forward},
 * {@link Conv#backward} (dx, dweight, dbias), and {@link Im2col#im2col} / {@link Im2col#col2im} of one image.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ConvBench {
    @Param({"lenet5-conv1", "lenet5-conv2", "vgg-conv1", "vgg-conv2", "vgg-conv3", "vgg-conv4",
            "resnet-l1", "resnet-l2", "resnet-l3", "resnet-l2-first", "resnet-l3-first", "resnet-down2"})
    public String layer;

    private ConvGeometry g;
    private Tensor x, weight, bias, y, dy, dx, dweight, dbias;
    private float[] workspace, col;

    @Setup
    public void setup() {
        Shapes.ConvShape s = Shapes.conv(layer);
        g = s.geometry();
        int n = Shapes.BATCH;
        SplittableRandom rng = new SplittableRandom(1);
        // x is (N, C, H, W), weight is (OC, C, K, K), y is (N, OC, OH, OW)
        x = Tensor.randn(rng, 1f, n, s.c(), s.h(), s.w());
        weight = Tensor.randn(rng, 0.1f, s.oc(), s.c(), s.k(), s.k());
        bias = Tensor.randn(rng, 0.1f, s.oc());
        y = Tensor.zeros(n, s.oc(), g.oh, g.ow);
        dy = Tensor.randn(rng, 1f, n, s.oc(), g.oh, g.ow);
        dx = Tensor.zeros(n, s.c(), s.h(), s.w());
        dweight = Tensor.zeros(weight.shape());
        dbias = Tensor.zeros(s.oc());
        workspace = new float[Conv.workspaceSize(n, g.outPlane(), weight.size())];
        col = new float[g.colRows(s.c()) * g.outPlane()];
    }

    @Benchmark
    public Tensor forward() {
        Conv.forward(g, 1, x, weight, bias, y);
        return y;
    }

    @Benchmark
    public Tensor backward() {
        Conv.backward(g, 1, x, weight, dy, dx, dweight, dbias, workspace);
        return dx;
    }

    @Benchmark
    public float[] im2colOneImage() {
        Im2col.im2col(g, x.data(), 0, 0, g.c, col);
        return col;
    }

    @Benchmark
    public Tensor col2imOneImage() {
        Im2col.col2im(g, col, dx.data(), 0, 0, g.c);
        return dx;
    }
}
