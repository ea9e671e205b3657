package org.conv4j.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.conv4j.nn.Parameter;
import org.conv4j.tensor.Tensor;

/**
 * What every optimizer shares: the trainable parameters, the learning rate, the step count and
 * the per-parameter state tensors, grouped by kind ("exp_avg") and created on first use as in
 * PyTorch; export and validated import of that state.
 */
abstract class BaseOptimizer implements Optimizer {
    private final String type;
    final String[] names;
    final Parameter[] params;
    private final Map<String, Parameter> byName;
    private final Map<String, Tensor[]> buffers = new LinkedHashMap<>();
    private double lr;
    long steps;

    BaseOptimizer(String type, Map<String, Parameter> parameters, double lr) {
        this.type = type;
        Objects.requireNonNull(parameters, "parameters");
        Map<String, Parameter> m = new LinkedHashMap<>();
        // buffers (running statistics) have no gradient and are not optimized
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) if (e.getValue().isTrainable()) m.put(e.getKey(), e.getValue());
        check(!m.isEmpty(), "no trainable parameters to optimize (got %d buffers)", parameters.size());
        byName = Collections.unmodifiableMap(m);
        names = m.keySet().toArray(new String[0]);
        params = m.values().toArray(new Parameter[0]);
        setLearningRate(lr);
    }

    /** The state kinds the current configuration keeps, in export order. */
    abstract List<String> stateKinds();

    /** The tensors of one kind, one per parameter, or null before the first step creates them. */
    final Tensor[] buffer(String kind) {
        return buffers.get(kind);
    }

    /** Creates the tensors of one kind, zero-filled. */
    final Tensor[] createBuffer(String kind) {
        Tensor[] t = new Tensor[params.length];
        for (int i = 0; i < t.length; i++) t[i] = Tensor.zeros(params[i].value().shape());
        buffers.put(kind, t);
        return t;
    }

    /** The tensors of one kind, created zero-filled when missing. */
    final Tensor[] bufferOrZeros(String kind) {
        Tensor[] t = buffers.get(kind);
        return t != null ? t : createBuffer(kind);
    }

    final void check(boolean ok, String format, Object... args) {
        if (!ok) throw new IllegalArgumentException(type + ": " + String.format(format, args));
    }

    /** Rejects NaN as well as negative values. */
    final void checkNonNegative(double value, String what) {
        check(value >= 0 && value < Double.POSITIVE_INFINITY, "invalid %s: %s (must be finite and >= 0)", what, value);
    }

    /** A beta or alpha: in [0, 1). */
    final void checkUnitInterval(double value, String what) {
        check(value >= 0 && value < 1, "invalid %s: %s (must be in [0, 1))", what, value);
    }

    @Override
    public void zeroGrad() {
        for (Parameter p : params) p.zeroGrad();
    }

    @Override
    public double learningRate() {
        return lr;
    }

    @Override
    public void setLearningRate(double lr) {
        checkNonNegative(lr, "learning rate");
        this.lr = lr;
    }

    @Override
    public long stepCount() {
        return steps;
    }

    @Override
    public Map<String, Parameter> parameters() {
        return byName;
    }

    @Override
    public OptimizerState state() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (String kind : stateKinds()) {
            Tensor[] t = buffers.get(kind);
            if (t == null) continue;
            for (int i = 0; i < params.length; i++) tensors.put(kind + "." + names[i], t[i]);
        }
        Map<String, Double> scalars = new LinkedHashMap<>();
        scalars.put("step", (double) steps);
        scalars.put("lr", lr);
        return new OptimizerState(type, tensors, scalars);
    }

    @Override
    public void loadState(OptimizerState state) {
        Objects.requireNonNull(state, "state");
        check(state.type().equals(type), "cannot load the state of a %s optimizer", state.type());
        Map<String, Double> scalars = state.scalars();
        for (String key : scalars.keySet()) check(key.equals("step") || key.equals("lr"), "unexpected state scalar '%s' (expected step, lr)", key);
        Double step = scalars.get("step"), rate = scalars.get("lr");
        check(step != null && rate != null, "the state needs the scalars step and lr, got %s", scalars.keySet());
        check(step >= 0 && step == Math.rint(step) && step < 0x1p53, "state scalar step must be a non-negative integer, got %s", step);
        checkNonNegative(rate, "learning rate in the state");
        List<String> kinds = stateKinds();
        Map<String, Tensor[]> loaded = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : state.tensors().entrySet()) {
            String name = e.getKey();
            int dot = name.indexOf('.');
            String kind = dot < 0 ? name : name.substring(0, dot);
            check(kinds.contains(kind), "unexpected state tensor '%s' (this %s keeps %s)", name, this, kinds);
            Parameter p = dot < 0 ? null : byName.get(name.substring(dot + 1));
            check(p != null, "state tensor '%s' names no parameter of this optimizer (parameters: %s)", name, byName.keySet());
            check(e.getValue().shape().equals(p.value().shape()), "state tensor '%s' has shape %s, the parameter has %s",
                    name, e.getValue().shape(), p.value().shape());
            int index = List.of(names).indexOf(name.substring(dot + 1));
            loaded.computeIfAbsent(kind, k -> new Tensor[params.length])[index] = e.getValue().copy();
        }
        for (String kind : kinds) {
            Tensor[] t = loaded.get(kind);
            check(t != null || step == 0, "the state at step %d is missing the '%s' tensors", step.longValue(), kind);
            if (t == null) continue;
            for (int i = 0; i < t.length; i++) check(t[i] != null, "the state is missing '%s.%s'", kind, names[i]);
        }
        buffers.clear();
        buffers.putAll(loaded);
        steps = step.longValue();
        lr = rate;
    }

    /** PyTorch-repr style: the type, lr, then the options that differ from the defaults. */
    final String describe(List<String> options) {
        List<String> parts = new ArrayList<>();
        parts.add("lr=" + lr);
        parts.addAll(options);
        return type + "(" + String.join(", ", parts) + ")";
    }
}
