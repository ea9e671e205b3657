package org.conv4j.bench;

import java.util.List;

/**
 * One SGEMM size of the GEMM case: {@code C[m,n] = op(A)[m,k] * op(B)[k,n]}, 2mnk FLOPs, with the
 * transposes the layer really uses. The conv shapes are those {@link org.conv4j.kernel.Conv} runs
 * per image in the forward pass (im2col then {@code weight[OC, C*KH*KW] x col[C*KH*KW, OH*OW]}):
 * M = output channels, K = C*KH*KW, N = OH*OW. The Linear shapes are the batch-64 forward
 * {@code x[64, in] x W[out, in]^T}. {@link #PEAK}, a large square product, is the machine's SGEMM peak.
 */
public record GemmShape(String name, boolean transA, boolean transB, int m, int n, int k) {

    /** 1024^3: large enough to run at the kernel's best rate on all threads. */
    public static final GemmShape PEAK = new GemmShape("peak-1024", false, false, 1024, 1024, 1024);

    /** The conv- and Linear-shaped sizes of the three model cases. */
    public static final List<GemmShape> CASE_SHAPES = List.of(
            new GemmShape("lenet5-conv1", false, false, 6, 784, 25),
            new GemmShape("lenet5-conv2", false, false, 16, 100, 150),
            new GemmShape("lenet5-fc1", false, true, 64, 120, 400),
            new GemmShape("lenet5-fc2", false, true, 64, 84, 120),
            new GemmShape("vgg-conv2", false, false, 32, 1024, 288),
            new GemmShape("vgg-conv3", false, false, 64, 256, 288),
            new GemmShape("vgg-conv4", false, false, 64, 256, 576),
            new GemmShape("vgg-fc1", false, true, 64, 256, 4096),
            new GemmShape("resnet-l1", false, false, 16, 1024, 144),
            new GemmShape("resnet-l2", false, false, 32, 256, 288),
            new GemmShape("resnet-l3", false, false, 64, 64, 576));

    public GemmShape {
        if (m < 1 || n < 1 || k < 1) throw new IllegalArgumentException("GemmShape: sizes must be >= 1, got m=" + m + " n=" + n + " k=" + k);
    }

    /** 2 * m * n * k. */
    public double flops() {
        return 2.0 * m * n * k;
    }

    /** Leading dimension of A as stored: k, or m when A is stored transposed (k x m). */
    public int lda() {
        return transA ? m : k;
    }

    /** Leading dimension of B as stored: n, or k when B is stored transposed (n x k). */
    public int ldb() {
        return transB ? k : n;
    }
}
