package org.conv4j.nn;

import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Softmax over the last dimension of (N, K): {@code y_i = exp(x_i - max) / sum_j exp(x_j - max)}.
 * Backward: {@code dx_i = y_i * (dy_i - sum_j dy_j y_j)}. For training a classifier use
 * {@link SoftmaxCrossEntropy}, which fuses this with the loss.
 */
public final class Softmax implements Layer {
    private Tensor savedOutput;

    @Override
    public Shape outputShape(Shape input) {
        Check.rank(input, 2, "Softmax", "(N, classes)");
        return input;
    }

    /** The softmax of each row of a (N, K) tensor. */
    public static Tensor apply(Tensor x) {
        int n = x.dim(0), k = x.dim(1);
        Tensor y = Tensor.zeros(n, k);
        float[] yd = y.data();
        for (int i = 0; i < n; i++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) max = Math.max(max, x.at(i * k + j));
            double sum = 0;
            for (int j = 0; j < k; j++) {
                float e = (float) Math.exp(x.at(i * k + j) - max);
                yd[i * k + j] = e;
                sum += e;
            }
            for (int j = 0; j < k; j++) yd[i * k + j] = (float) (yd[i * k + j] / sum);
        }
        return y;
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        outputShape(x.shape());
        Tensor y = apply(x);
        if (mode == Mode.TRAIN) savedOutput = y;
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        Check.saved(savedOutput, "Softmax");
        Check.sameShape(dy, savedOutput.shape(), "Softmax");
        int n = dy.dim(0), k = dy.dim(1);
        Tensor dx = Tensor.zeros(n, k);
        for (int i = 0; i < n; i++) {
            double dot = 0;
            for (int j = 0; j < k; j++) dot += dy.at(i * k + j) * savedOutput.at(i * k + j);
            for (int j = 0; j < k; j++) dx.data()[i * k + j] = (float) (savedOutput.at(i * k + j) * (dy.at(i * k + j) - dot));
        }
        return dx;
    }

    @Override
    public String toString() {
        return "Softmax()";
    }
}
