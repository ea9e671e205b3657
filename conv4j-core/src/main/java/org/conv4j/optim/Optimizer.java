package org.conv4j.optim;

import java.util.Map;
import org.conv4j.nn.Parameter;

/**
 * Updates a model's trainable parameters from their accumulated gradients, with
 * {@code torch.optim} semantics so hyper-parameters transfer (SPEC 3: "a gradient step on
 * every parameter").
 *
 * <p>A training step is {@code zeroGrad(); forward; backward; step();}. An optimizer is built
 * over the named parameters of a model ({@link org.conv4j.nn.Layers#namedParameters}); buffers
 * such as BatchNorm's running statistics are skipped. Its per-parameter state (momentum,
 * moment estimates) is exported by {@link #state()} under stable names
 * ({@code "exp_avg.features.0.weight"}) with the step count and learning rate, and restored by
 * {@link #loadState}: the steps after a restore are bit-identical to an uninterrupted run.
 */
public interface Optimizer {
    /** Applies one update to every parameter from its gradient (which is left unchanged). */
    void step();

    /** Sets every gradient to zero; backward adds into the gradients, so call this before each. */
    void zeroGrad();

    double learningRate();

    /** Sets the learning rate for the next steps (a schedule calls this); must be finite and >= 0. */
    void setLearningRate(double lr);

    /** The number of {@link #step()} calls so far, restored by {@link #loadState}. */
    long stepCount();

    /** The trainable parameters this optimizer updates, by dotted name, in model order. */
    Map<String, Parameter> parameters();

    /** A copy of the optimizer's state: its tensors, the step count and the learning rate. */
    OptimizerState state();

    /**
     * Replaces the state with a copy of {@code state}, after checking that it comes from the same
     * kind of optimizer and that every tensor name and shape matches; on any mismatch it throws
     * {@link IllegalArgumentException} naming the problem and changes nothing.
     */
    void loadState(OptimizerState state);
}
