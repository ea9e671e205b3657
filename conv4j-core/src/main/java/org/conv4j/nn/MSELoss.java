package org.conv4j.nn;

import org.conv4j.tensor.Tensor;

/**
 * Mean squared error, as PyTorch's {@code nn.MSELoss} with the default mean reduction:
 * <pre>
 *   L = sum((y - t)^2) / numel,   dL/dy = 2 (y - t) / numel
 * </pre>
 * where numel counts every element (not only the batch). Output and target must have the same
 * shape (no broadcasting, so a (N) target against a (N, 1) output is an error, not a silent
 * (N, N) difference). The sum is taken in double.
 */
public final class MSELoss implements Loss {
    private Tensor savedOutput;
    private Tensor savedTarget;

    // y and t are any shape, the same one
    @Override
    public float forward(Tensor output, Tensor target) {
        Check.arg(output.shape().equals(target.shape()), "MSELoss",
                "target shape %s does not match the output shape %s", target.shape(), output.shape());
        double sum = 0;
        for (int i = 0; i < output.size(); i++) {
            double d = (double) output.at(i) - target.at(i);
            sum += d * d;
        }
        savedOutput = output;
        savedTarget = target;
        return (float) (sum / output.size());
    }

    // dy = 2 (y - t) / numel
    @Override
    public Tensor backward() {
        Check.saved(savedOutput, "MSELoss");
        Tensor dy = Tensor.zeros(savedOutput.shape());
        float[] d = dy.data();
        double scale = 2.0 / savedOutput.size();
        for (int i = 0; i < d.length; i++) d[i] = (float) (scale * ((double) savedOutput.at(i) - savedTarget.at(i)));
        return dy;
    }

    @Override
    public String toString() {
        return "MSELoss()";
    }
}
