package org.conv4j.nn;

import org.conv4j.tensor.Tensor;

/**
 * Inference fusion: in {@link Mode#EVAL} a {@link Conv2d} followed by a {@link BatchNorm2d} of its
 * channels and/or a {@link ReLU} runs as one pass. The batch norm's fixed affine map is folded into
 * the convolution's weights and bias, and the ReLU is applied as the output is stored, so the two
 * layers after the convolution cost no pass over memory (as inference engines fold batch norm).
 * The result equals the layers run one by one up to float rounding (the scale multiplies the
 * weights instead of the sums). {@link Sequential} and {@link Graph} use it; a graph only where
 * the convolution's and the batch norm's values have no other consumer. In a graph the chain may
 * also end in a two-input {@link Add} of its output and a value computed before it (ResNet's
 * {@code relu(bn2(conv2(...)) + x)}): the sum is made as the output is stored, so neither the
 * sum nor the ReLU costs a pass over memory. In a Sequential a {@link MaxPool2d} after them joins
 * in ({@link #poolsAfter}).
 */
final class ConvFusion {
    private ConvFusion() {
    }

    /**
     * How many layers from {@code first} run as one in EVAL: 1 when first is not a convolution or
     * nothing follows it to fold, 2 for conv + batch norm or conv + ReLU, 3 for conv + batch norm + ReLU.
     * {@code second} and {@code third} are the layers after it (null where there is none).
     */
    static int span(Layer first, Layer second, Layer third) {
        if (!(first instanceof Conv2d)) return 1;
        boolean bn = second instanceof BatchNorm2d && ((BatchNorm2d) second).numChannels() == ((Conv2d) first).outChannels();
        boolean relu = (bn ? third : second) instanceof ReLU;
        return 1 + (bn ? 1 : 0) + (relu ? 1 : 0);
    }

    /**
     * Whether a {@link MaxPool2d} right after the span from {@code first} runs with it too (in
     * {@link Sequential}): first is an ungrouped convolution and {@code next} a max pooling. Each
     * task of the convolution then pools its images while their output is in cache.
     */
    static boolean poolsAfter(Layer first, Layer next) {
        return first instanceof Conv2d && ((Conv2d) first).groups() == 1 && next instanceof MaxPool2d;
    }

    /**
     * The EVAL output of the {@code span} layers first, second, ... for input x; with a residual
     * (not null), the span includes a sum of the chain's output and it (a {@link Graph}'s
     * {@link Add} node), which the convolution adds as it stores its output, before the ReLU; then
     * through {@code pool} when it is not null ({@link #poolsAfter}; not with a residual).
     */
    static Tensor forward(Layer first, Layer second, int span, Tensor residual, MaxPool2d pool, Tensor x) {
        BatchNorm2d bn = second instanceof BatchNorm2d ? (BatchNorm2d) second : null;
        int folded = 1 + (bn == null ? 0 : 1) + (residual == null ? 0 : 1);
        return ((Conv2d) first).forwardFolded(x, bn, residual, span == folded + 1, pool);
    }
}
