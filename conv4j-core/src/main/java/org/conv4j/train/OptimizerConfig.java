package org.conv4j.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.conv4j.nn.Layer;
import org.conv4j.optim.Adam;
import org.conv4j.optim.AdamW;
import org.conv4j.optim.Optimizer;
import org.conv4j.optim.RMSprop;
import org.conv4j.optim.SGD;

/**
 * An optimizer by name with every setting it is built with, part of a {@link RunConfig}: the
 * settings are exactly those of its kind, so a saved run rebuilds the same optimizer even if
 * defaults change. Kinds and their settings:
 * {@code adam} and {@code adamw}: lr, beta1, beta2, eps, weight_decay (decoupled for adamw);
 * {@code sgd}: lr, momentum, nesterov, weight_decay; {@code rmsprop}: lr, alpha, eps, momentum,
 * weight_decay. Every setting is a number except {@code nesterov}, a boolean.
 */
public record OptimizerConfig(String name, Map<String, Object> settings) {
    private static final List<String> ADAM = List.of("lr", "beta1", "beta2", "eps", "weight_decay");
    private static final Map<String, List<String>> KEYS = Map.of("adam", ADAM, "adamw", ADAM,
            "sgd", List.of("lr", "momentum", "nesterov", "weight_decay"),
            "rmsprop", List.of("lr", "alpha", "eps", "momentum", "weight_decay"));
    /** The kinds, in the order the command lists them. */
    public static final List<String> NAMES = List.of("adam", "adamw", "sgd", "rmsprop");

    /** Validates the settings and keeps them in their kind's order, numbers as doubles. */
    public OptimizerConfig {
        List<String> keys = KEYS.get(name);
        if (keys == null) throw new IllegalArgumentException("run configuration: optimizer must be one of " + NAMES + ", got '" + name + "'");
        for (String k : settings.keySet()) {
            if (!keys.contains(k)) throw new IllegalArgumentException("run configuration: " + name + " has no setting '" + k + "' (its settings: " + keys + ")");
        }
        Map<String, Object> ordered = new LinkedHashMap<>();
        for (String k : keys) {
            Object v = settings.get(k);
            if (v == null) throw new IllegalArgumentException("run configuration: " + name + " needs the setting '" + k + "'");
            if (k.equals("nesterov")) {
                if (!(v instanceof Boolean)) throw new IllegalArgumentException("run configuration: optimizer setting 'nesterov' must be a boolean, got " + v);
                ordered.put(k, v);
                continue;
            }
            if (!(v instanceof Number n)) throw new IllegalArgumentException("run configuration: optimizer setting '" + k + "' must be a number, got " + v);
            double d = n.doubleValue();
            boolean below1 = k.startsWith("beta") || k.equals("alpha");
            if (!(d >= 0 && d < Double.POSITIVE_INFINITY) || k.equals("lr") && d == 0 || below1 && d >= 1) {
                throw new IllegalArgumentException("run configuration: optimizer setting '" + k + "' must be "
                        + (k.equals("lr") ? "positive and finite" : below1 ? "in [0, 1)" : "finite and >= 0") + ", got " + d);
            }
            ordered.put(k, d);
        }
        settings = java.util.Collections.unmodifiableMap(ordered);
    }

    /**
     * The command's choice for each kind at this learning rate and weight decay: Adam and AdamW
     * with betas (0.9, 0.999) and eps 1e-8; SGD with momentum 0.9 and Nesterov; RMSprop with
     * alpha 0.99, eps 1e-8 and no momentum.
     */
    public static OptimizerConfig standard(String name, double lr, double weightDecay) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("lr", lr);
        s.put("weight_decay", weightDecay);
        switch (name) {
            case "adam", "adamw" -> {
                s.put("beta1", 0.9);
                s.put("beta2", 0.999);
                s.put("eps", 1e-8);
            }
            case "sgd" -> {
                s.put("momentum", 0.9);
                s.put("nesterov", true);
            }
            case "rmsprop" -> {
                s.put("alpha", 0.99);
                s.put("eps", 1e-8);
                s.put("momentum", 0.0);
            }
            default -> throw new IllegalArgumentException("run configuration: optimizer must be one of " + NAMES + ", got '" + name + "'");
        }
        return new OptimizerConfig(name, s);
    }

    public double lr() {
        return number("lr");
    }

    public double weightDecay() {
        return number("weight_decay");
    }

    private double number(String key) {
        return (Double) settings.get(key);
    }

    /** A new optimizer of this kind and settings over the parameters of {@code model}. */
    public Optimizer build(Layer model) {
        return switch (name) {
            case "adam" -> new Adam(model, lr()).betas(number("beta1"), number("beta2")).eps(number("eps")).weightDecay(weightDecay());
            case "adamw" -> new AdamW(model, lr()).betas(number("beta1"), number("beta2")).eps(number("eps")).weightDecay(weightDecay());
            case "sgd" -> new SGD(model, lr()).momentum(number("momentum")).nesterov((Boolean) settings.get("nesterov")).weightDecay(weightDecay());
            default -> new RMSprop(model, lr()).alpha(number("alpha")).eps(number("eps")).momentum(number("momentum")).weightDecay(weightDecay());
        };
    }
}
