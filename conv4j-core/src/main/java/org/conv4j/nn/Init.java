package org.conv4j.nn;

import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Weight initialization. New layers draw from one generator, like {@code torch.manual_seed}:
 * after {@link #seed(long)} the same construction order gives the same weights.
 *
 * <p>Every layer initializes itself as PyTorch does by default (Conv2d and Linear:
 * {@link #pytorchDefault}, U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for weight and bias); that default
 * does not change. Other schemes are applied afterwards, to a tensor with the methods below or
 * to a whole model with {@link #apply(Layer, Scheme)}, as {@code torch.nn.init}:
 *
 * <ul>
 *   <li>fans (PyTorch's {@code _calculate_fan_in_and_fan_out}): for a weight (out, in, k...) of
 *       rank >= 2, {@code fanIn = in * prod(k)}, {@code fanOut = out * prod(k)}; a grouped
 *       conv's weight (OC, C/groups, KH, KW) has {@code fanIn = C/groups * KH * KW};
 *   <li>Kaiming/He: {@code std = gain / sqrt(fan)}; normal N(0, std^2) or uniform
 *       U(-sqrt(3)*std, sqrt(3)*std), fan = fanIn or fanOut;
 *   <li>Xavier/Glorot: {@code std = gain * sqrt(2 / (fanIn + fanOut))}; normal, or uniform
 *       with bound {@code gain * sqrt(6 / (fanIn + fanOut))};
 *   <li>LeCun: {@code std = sqrt(1 / fanIn)}; normal, or uniform with bound sqrt(3 / fanIn);
 *   <li>small uniform: U(-1e-4, 1e-4) weights and zero bias, the sources' scheme (SPEC 3,
 *       source 000);
 *   <li>gains ({@code calculate_gain}): linear, conv and sigmoid 1, tanh 5/3, relu sqrt(2),
 *       leaky_relu sqrt(2 / (1 + slope^2)) (slope 0.01 by default), selu 3/4.
 * </ul>
 *
 * Normal samples come from {@link Tensor#gaussian}, so values depend only on the seed.
 */
public final class Init {
    private static SplittableRandom generator = new SplittableRandom(0x5EED);

    private Init() {
    }

    /** Re-seeds the generator that new layers draw their initial weights from. */
    public static synchronized void seed(long seed) {
        generator = new SplittableRandom(seed);
    }

    /** A generator of its own for one layer, split from the global one. */
    public static synchronized SplittableRandom nextGenerator() {
        return generator.split();
    }

    /** PyTorch's default for Conv2d and Linear: U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for weight and bias. */
    public static void pytorchDefault(Tensor t, int fanIn, SplittableRandom rng) {
        uniform(t, (float) (1 / Math.sqrt(fanIn)), rng);
    }

    /** U(-bound, bound). */
    public static void uniform(Tensor t, float bound, SplittableRandom rng) {
        float[] d = t.data();
        for (int i = 0; i < t.size(); i++) d[t.offset() + i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
    }

    /** N(mean, std^2). */
    public static void normal(Tensor t, double mean, double std, SplittableRandom rng) {
        check(std >= 0 && std < Double.POSITIVE_INFINITY, "std must be finite and >= 0, got %s", std);
        float[] d = t.data();
        for (int i = 0; i < t.size(); i++) d[t.offset() + i] = (float) (mean + std * Tensor.gaussian(rng));
    }

    /** Every element set to {@code value}. */
    public static void constant(Tensor t, float value) {
        t.fill(value);
    }

    /** in * prod(kernel) for a weight (out, in, kernel...) of rank >= 2. */
    public static int fanIn(Shape weight) {
        checkWeight(weight);
        return weight.sizeFrom(1);
    }

    /** out * prod(kernel) for a weight (out, in, kernel...) of rank >= 2. */
    public static int fanOut(Shape weight) {
        checkWeight(weight);
        return weight.dim(0) * weight.sizeFrom(2);
    }

    /** {@link #gain(String, double)} with PyTorch's default parameter (leaky_relu slope 0.01). */
    public static double gain(String nonlinearity) {
        return gain(nonlinearity, Double.NaN);
    }

    /**
     * The recommended gain for a nonlinearity, as {@code torch.nn.init.calculate_gain}; {@code param}
     * is leaky_relu's negative slope (NaN for the default 0.01) and is ignored otherwise.
     */
    public static double gain(String nonlinearity, double param) {
        Objects.requireNonNull(nonlinearity, "nonlinearity");
        switch (nonlinearity) {
            case "linear": case "conv1d": case "conv2d": case "conv3d":
            case "conv_transpose1d": case "conv_transpose2d": case "conv_transpose3d": case "sigmoid":
                return 1;
            case "tanh":
                return 5.0 / 3;
            case "relu":
                return Math.sqrt(2);
            case "leaky_relu": {
                double slope = Double.isNaN(param) ? 0.01 : param;
                check(Double.isFinite(slope), "leaky_relu slope must be finite, got %s", slope);
                return Math.sqrt(2 / (1 + slope * slope));
            }
            case "selu":
                return 0.75;
            default:
                throw new IllegalArgumentException("Init: unsupported nonlinearity '" + nonlinearity
                        + "' (expected linear, conv2d, sigmoid, tanh, relu, leaky_relu or selu)");
        }
    }

    /** Kaiming/He uniform: U(-b, b) with b = gain(nonlinearity, a) * sqrt(3 / fan), mode "fan_in" or "fan_out". */
    public static void kaimingUniform(Tensor w, double a, String mode, String nonlinearity, SplittableRandom rng) {
        double std = gain(nonlinearity, a) / Math.sqrt(fan(w.shape(), mode));
        uniform(w, (float) (Math.sqrt(3) * std), rng);
    }

    /** Kaiming/He normal: N(0, std^2) with std = gain(nonlinearity, a) / sqrt(fan), mode "fan_in" or "fan_out". */
    public static void kaimingNormal(Tensor w, double a, String mode, String nonlinearity, SplittableRandom rng) {
        normal(w, 0, gain(nonlinearity, a) / Math.sqrt(fan(w.shape(), mode)), rng);
    }

    /** Xavier/Glorot uniform: U(-b, b) with b = gain * sqrt(6 / (fanIn + fanOut)). */
    public static void xavierUniform(Tensor w, double gain, SplittableRandom rng) {
        uniform(w, (float) (gain * Math.sqrt(6.0 / (fanIn(w.shape()) + (double) fanOut(w.shape())))), rng);
    }

    /** Xavier/Glorot normal: N(0, std^2) with std = gain * sqrt(2 / (fanIn + fanOut)). */
    public static void xavierNormal(Tensor w, double gain, SplittableRandom rng) {
        normal(w, 0, gain * Math.sqrt(2.0 / (fanIn(w.shape()) + (double) fanOut(w.shape()))), rng);
    }

    /** LeCun uniform: U(-b, b) with b = sqrt(3 / fanIn). */
    public static void lecunUniform(Tensor w, SplittableRandom rng) {
        uniform(w, (float) Math.sqrt(3.0 / fanIn(w.shape())), rng);
    }

    /** LeCun normal: N(0, 1 / fanIn) (a plain normal, not JAX's truncated one). */
    public static void lecunNormal(Tensor w, SplittableRandom rng) {
        normal(w, 0, Math.sqrt(1.0 / fanIn(w.shape())), rng);
    }

    /** U(-1e-4, 1e-4): the sources' small random weights (SPEC 3, source 000). */
    public static void smallUniform(Tensor w, SplittableRandom rng) {
        uniform(w, 1e-4f, rng);
    }

    /**
     * A way to initialize a model's weights (rank >= 2) and the biases beside them; the factories
     * below give the standard schemes. Biases are zero unless a scheme says otherwise.
     */
    public interface Scheme {
        /** Fills a weight of rank >= 2. */
        void weight(Tensor w, SplittableRandom rng);

        /** Fills the bias of a weight whose fan-in is {@code fanIn}; zeros by default. */
        default void bias(Tensor b, int fanIn, SplittableRandom rng) {
            b.fill(0f);
        }

        /** PyTorch's layer default: weight and bias U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
        static Scheme pytorchDefault() {
            return new Scheme() {
                @Override
                public void weight(Tensor w, SplittableRandom rng) {
                    Init.pytorchDefault(w, fanIn(w.shape()), rng);
                }

                @Override
                public void bias(Tensor b, int fanIn, SplittableRandom rng) {
                    Init.pytorchDefault(b, fanIn, rng);
                }
            };
        }

        /** Kaiming/He uniform (see {@link Init#kaimingUniform}), zero bias. */
        static Scheme kaimingUniform(double a, String mode, String nonlinearity) {
            validate(a, mode, nonlinearity);
            return (w, rng) -> Init.kaimingUniform(w, a, mode, nonlinearity, rng);
        }

        /** Kaiming/He normal (see {@link Init#kaimingNormal}), zero bias; e.g. (0, "fan_out", "relu") as torchvision's ResNet. */
        static Scheme kaimingNormal(double a, String mode, String nonlinearity) {
            validate(a, mode, nonlinearity);
            return (w, rng) -> Init.kaimingNormal(w, a, mode, nonlinearity, rng);
        }

        /** Xavier/Glorot uniform with the given gain, zero bias. */
        static Scheme xavierUniform(double gain) {
            check(gain >= 0 && gain < Double.POSITIVE_INFINITY, "gain must be finite and >= 0, got %s", gain);
            return (w, rng) -> Init.xavierUniform(w, gain, rng);
        }

        /** Xavier/Glorot normal with the given gain, zero bias. */
        static Scheme xavierNormal(double gain) {
            check(gain >= 0 && gain < Double.POSITIVE_INFINITY, "gain must be finite and >= 0, got %s", gain);
            return (w, rng) -> Init.xavierNormal(w, gain, rng);
        }

        /** LeCun uniform, zero bias. */
        static Scheme lecunUniform() {
            return Init::lecunUniform;
        }

        /** LeCun normal, zero bias. */
        static Scheme lecunNormal() {
            return Init::lecunNormal;
        }

        /** The sources' scheme: U(-1e-4, 1e-4) weights, zero bias (SPEC 3, source 000). */
        static Scheme smallUniform() {
            return Init::smallUniform;
        }

        /** Every weight {@code weightValue}, every bias {@code biasValue}. */
        static Scheme constant(float weightValue, float biasValue) {
            return new Scheme() {
                @Override
                public void weight(Tensor w, SplittableRandom rng) {
                    w.fill(weightValue);
                }

                @Override
                public void bias(Tensor b, int fanIn, SplittableRandom rng) {
                    b.fill(biasValue);
                }
            };
        }

        private static void validate(double a, String mode, String nonlinearity) {
            check("fan_in".equals(mode) || "fan_out".equals(mode), "mode must be 'fan_in' or 'fan_out', got '%s'", mode);
            gain(nonlinearity, a);
        }
    }

    /** {@link #apply(Layer, Scheme, SplittableRandom)} with a generator split from the seeded one. */
    public static void apply(Layer model, Scheme scheme) {
        apply(model, scheme, nextGenerator());
    }

    /**
     * Re-initializes every weight of {@code model}: each trainable parameter named "weight" (the
     * last part of its dotted name) of rank >= 2 gets {@link Scheme#weight}, and the "bias" beside
     * such a weight gets {@link Scheme#bias} with that weight's fan-in; other parameters (BatchNorm's
     * rank-1 weight and bias, buffers) are left as they are. Draws happen in parameter order.
     */
    public static void apply(Layer model, Scheme scheme, SplittableRandom rng) {
        Objects.requireNonNull(scheme, "scheme");
        Map<String, Parameter> params = Layers.namedParameters(model);
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            String name = e.getKey();
            Parameter p = e.getValue();
            if (!p.isTrainable()) continue;
            int dot = name.lastIndexOf('.');
            String prefix = name.substring(0, dot + 1), local = name.substring(dot + 1);
            if (local.equals("weight") && p.value().rank() >= 2) {
                scheme.weight(p.value(), rng);
            } else if (local.equals("bias")) {
                Parameter w = params.get(prefix + "weight");
                if (w != null && w.isTrainable() && w.value().rank() >= 2) scheme.bias(p.value(), fanIn(w.value().shape()), rng);
            }
        }
    }

    private static int fan(Shape weight, String mode) {
        if ("fan_in".equals(mode)) return fanIn(weight);
        if ("fan_out".equals(mode)) return fanOut(weight);
        throw new IllegalArgumentException("Init: mode must be 'fan_in' or 'fan_out', got '" + mode + "'");
    }

    private static void checkWeight(Shape weight) {
        check(weight.rank() >= 2, "fan in and fan out need a weight of rank >= 2 (out, in, kernel...), got shape %s", weight);
    }

    private static void check(boolean ok, String format, Object... args) {
        if (!ok) throw new IllegalArgumentException("Init: " + String.format(format, args));
    }
}
