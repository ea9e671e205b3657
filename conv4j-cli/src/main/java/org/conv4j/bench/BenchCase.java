package org.conv4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.conv4j.summary.ModelSummary;
import org.conv4j.tensor.Shape;
import org.conv4j.zoo.Zoo;

/**
 * One standard bench case: a zoo network, training or inference, and a batch size.
 *
 * <ul>
 *   <li>{@code lenet5}: 1x28x28, 10 classes; batch 64 train and infer, batch 1 infer (latency).
 *   <li>{@code vgg-small}: 3x32x32, 10 classes ({@link org.conv4j.zoo.VGG#small}); batch 64 train and infer.
 *   <li>{@code resnet20}: 3x32x32, 10 classes ({@link org.conv4j.zoo.ResNet#cifar}, 1x1 conv + BN
 *       projection shortcuts at the two downsampling blocks); batch 64 train and infer.
 * </ul>
 * A training step is zeroGrad, forward in TRAIN mode, softmax cross-entropy, backward (the
 * parameter gradients only, as the Trainer: the input batch needs none) and an SGD step with
 * momentum 0.9 on one fixed random batch; an inference step is one forward in EVAL mode.
 *
 * <p>FLOPs per image come from {@link ModelSummary} (multiply-adds x 2 of the convolutions, Linear
 * layers and BatchNorm). A training step counts three times the forward FLOPs, the usual
 * convention: the backward pass computes two products of the forward's size per layer, one for the
 * input gradient and one for the weight gradient. The optimizer step, the loss and the
 * activations are not counted.
 */
public record BenchCase(String model, String zooName, boolean train, int batch, int channels, int height, int width, int classes) {

    /** The model cases, in the order they run: lenet5, vgg-small, resnet20. */
    public static final List<String> MODELS = List.of("lenet5", "vgg-small", "resnet20");

    /** The modes a run can be limited to: "train", "infer", or "all" (both). */
    public static final List<String> MODES = List.of("train", "infer", "all");

    /** "train" or "infer". */
    public String mode() {
        return train ? "train" : "infer";
    }

    /** The input shape with its batch dimension. */
    public Shape inputShape() {
        return Shape.of(batch, channels, height, width);
    }

    /** FLOPs of one forward pass of one image, from {@link ModelSummary}. */
    public long forwardFlopsPerImage() {
        return ModelSummary.of(Zoo.build(zooName, channels, height, width, classes), Shape.of(1, channels, height, width)).flops();
    }

    /** FLOPs counted for one image of this case: the forward FLOPs, times 3 when training. */
    public long flopsPerImage() {
        return flopsFor(forwardFlopsPerImage(), train);
    }

    /** The FLOP accounting rule: {@code train ? 3 * forward : forward}. */
    public static long flopsFor(long forwardFlops, boolean train) {
        return train ? 3 * forwardFlops : forwardFlops;
    }

    /**
     * The cases called {@code name}: a model name ("lenet5", "vgg-small" or "vgg_small", "resnet20")
     * or "all" (every model case; the GEMM case is {@link GemmShape}). Throws
     * {@link IllegalArgumentException} for another name, listing the known ones.
     */
    public static List<BenchCase> of(String name) {
        String key = name == null ? "" : name.toLowerCase(Locale.ROOT).replace('_', '-');
        List<BenchCase> out = new ArrayList<>();
        switch (key) {
            case "lenet5" -> {
                out.add(new BenchCase("lenet5", "lenet5", true, 64, 1, 28, 28, 10));
                out.add(new BenchCase("lenet5", "lenet5", false, 64, 1, 28, 28, 10));
                out.add(new BenchCase("lenet5", "lenet5", false, 1, 1, 28, 28, 10));
            }
            case "vgg-small" -> {
                out.add(new BenchCase("vgg-small", "vgg_small", true, 64, 3, 32, 32, 10));
                out.add(new BenchCase("vgg-small", "vgg_small", false, 64, 3, 32, 32, 10));
            }
            case "resnet20" -> {
                out.add(new BenchCase("resnet20", "resnet20", true, 64, 3, 32, 32, 10));
                out.add(new BenchCase("resnet20", "resnet20", false, 64, 3, 32, 32, 10));
            }
            case "all" -> {
                for (String m : MODELS) out.addAll(of(m));
            }
            default -> throw new IllegalArgumentException("BenchCase: unknown case '" + name + "'; known: lenet5, vgg-small, resnet20, all");
        }
        return out;
    }

    /**
     * The cases called {@code name} in {@code mode} ("train", "infer" or "all"), in their run order.
     * A process that runs one mode only measures that mode's peak memory: an inference run after a
     * training run in the same JVM would report the heap that training grew.
     */
    public static List<BenchCase> of(String name, String mode) {
        String m = mode == null ? "" : mode.toLowerCase(Locale.ROOT);
        if (!MODES.contains(m)) throw new IllegalArgumentException("BenchCase: unknown mode '" + mode + "'; known: train, infer, all");
        return of(name).stream().filter(c -> m.equals("all") || c.mode().equals(m)).toList();
    }
}
