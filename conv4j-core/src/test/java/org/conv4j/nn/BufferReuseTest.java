package org.conv4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.conv4j.kernel.Parallel;
import org.conv4j.optim.SGD;
import org.conv4j.tensor.Tensor;
import org.conv4j.zoo.Zoo;
import org.junit.jupiter.api.Test;

class BufferReuseTest {

    /** Every layer kind that keeps buffers: conv, batch norm, ReLU, max/avg/global pooling, Linear, Dropout, Add. */
    private static final Supplier<Layer> MIXED = () -> new Sequential(
            new Conv2d(2, 4, 3).padding(1), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
            new Conv2d(4, 4, 3).padding(1), new AvgPool2d(2), new Dropout(0.3).seed(7), new GlobalAvgPool2d(),
            new Linear(4, 5));

    @Test
    void trainingWithReusedBuffersGivesTheSameBitsAsWithFreshTensors() {
        for (Object[] c : new Object[][] {{MIXED, 2, 12}, {(Supplier<Layer>) () -> Zoo.build("resnet20", 3, 16, 16, 5), 3, 16},
            {(Supplier<Layer>) () -> Zoo.build("lenet5", 1, 28, 28, 5), 1, 28}}) {
            @SuppressWarnings("unchecked")
            Supplier<Layer> build = (Supplier<Layer>) c[0];
            int channels = (int) c[1], size = (int) c[2];
            float[][] fresh = train(build, channels, size, false), reused = train(build, channels, size, true);
            for (int i = 0; i < fresh.length; i++) assertArrayEquals(fresh[i], reused[i], "parameter " + i + " of " + build.get());
        }
    }

    // four SGD steps on fixed random batches; returns every parameter's values
    private static float[][] train(Supplier<Layer> build, int channels, int size, boolean reuse) {
        Init.seed(3);
        Layer net = build.get();
        net.reuseBuffers(reuse);
        SGD sgd = new SGD(net, 0.05).momentum(0.9);
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
        SplittableRandom rng = new SplittableRandom(5);
        for (int step = 0; step < 4; step++) {
            Tensor x = Tensor.randn(rng, 1f, 3, channels, size, size);
            Tensor target = Tensor.of(new float[] {step % 5, (step + 2) % 5, 4}, 3);
            sgd.zeroGrad();
            loss.forward(net.forward(x, Mode.TRAIN), target);
            net.backward(loss.backward());
            sgd.step();
        }
        return Layers.namedParameters(net).values().stream().map(p -> p.value().data().clone()).toArray(float[][]::new);
    }

    @Test
    void outputsAndGradientsAreReusedOnlyWhenAskedFor() {
        Init.seed(1);
        Layer net = MIXED.get();
        net.reuseBuffers(true);
        Tensor x = Tensor.randn(new SplittableRandom(2), 1f, 2, 2, 12, 12);
        Tensor first = net.forward(x, Mode.TRAIN), second = net.forward(x, Mode.TRAIN);
        assertSame(first, second);
        Tensor dx1 = net.backward(Tensor.zeros(first.shape())), dx2 = net.backward(Tensor.zeros(first.shape()));
        assertSame(dx1, dx2);
        assertSame(net.forward(x, Mode.EVAL), net.forward(x, Mode.EVAL));
        // off (the default): every call returns new storage, so threads may share the model for inference
        net.reuseBuffers(false);
        Tensor a = net.forward(x, Mode.EVAL), b = net.forward(x, Mode.EVAL);
        assertNotSame(a.data(), b.data());
        assertNotSame(net.forward(x, Mode.TRAIN).data(), net.forward(x, Mode.TRAIN).data());
    }

    @Test
    void aSteadyStateTrainingStepAllocatesAFractionOfItsActivations() {
        int before = Parallel.threads();
        Parallel.setThreads(1);   // every kernel on this thread, so its allocation counter sees everything
        try {
            long fresh = bytesPerStep(false), reused = bytesPerStep(true);
            // ResNet-20 at batch 8 on 3x16x16, once compiled: fresh outputs and gradients are about 11 MB a
            // step; reusing, under 0.1 MB is left (small arrays, lambdas)
            assertTrue(fresh > 8_000_000, "fresh tensors: " + fresh + " bytes a step");
            assertTrue(reused * 50 < fresh, "reused buffers: " + reused + " bytes a step against " + fresh);
        } finally {
            Parallel.setThreads(before);
        }
    }

    private static long bytesPerStep(boolean reuse) {
        Init.seed(4);
        Layer net = Zoo.build("resnet20", 3, 16, 16, 10);
        net.reuseBuffers(reuse);
        SGD sgd = new SGD(net, 0.01).momentum(0.9);
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
        Tensor x = Tensor.randn(new SplittableRandom(1), 1f, 8, 3, 16, 16);
        Tensor target = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 8);
        Runnable step = () -> {
            sgd.zeroGrad();
            loss.forward(net.forward(x, Mode.TRAIN), target);
            net.backward(loss.backward());
            sgd.step();
        };
        // until the JIT has compiled the vector kernels: interpreted, each vector operation allocates
        for (int i = 0; i < 150; i++) step.run();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId(), start = mx.getThreadAllocatedBytes(id);
        for (int i = 0; i < 5; i++) step.run();
        return (mx.getThreadAllocatedBytes(id) - start) / 5;
    }
}
