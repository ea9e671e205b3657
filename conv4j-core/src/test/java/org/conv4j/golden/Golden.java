package org.conv4j.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Set;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Loss;
import org.conv4j.nn.Mode;
import org.conv4j.nn.Parameter;
import org.conv4j.tensor.Tensor;

/**
 * The golden comparison steps shared by every family: load a fixture's parameters into a
 * layer, run the same step PyTorch ran, compare every tensor.
 *
 * <p>Tolerance: {@code |actual - expected| <= tol * max(1, |expected|)}, tol = 1e-5 for
 * outputs and losses, 1e-4 for gradients and updated buffers. Why this form: a float32 sum of
 * K products carries a rounding error proportional to the magnitude of its terms, not of its
 * result, so a purely relative test would fail on outputs that cancel to near zero; the
 * fixtures' data are O(1) (inputs in [-1, 1], weights at PyTorch's 1/sqrt(fan_in) scale), so
 * 1 is the natural floor, below which the test is absolute. Above it the test is relative,
 * which keeps large values (a 40-logit loss, a weight gradient summed over a batch) from
 * hiding behind a tolerance sized for small ones. A tolerance relative to the tensor's largest
 * magnitude was rejected: one large element would loosen the check on all the small ones.
 * The expected values are float64 results rounded to float32, so the whole tolerance is the
 * implementation's; the generator checks that float32 PyTorch itself meets it.
 */
final class Golden {
    static final double OUTPUT_TOL = 1e-5;
    static final double GRADIENT_TOL = 1e-4;

    private Golden() {
    }

    /**
     * Loads the fixture's parameters and buffers (by the layer's own names), runs forward in the
     * fixture's mode and, for mode=train, backward of its dy; compares y, dx, each d&lt;param&gt;
     * and each &lt;buffer&gt;_after. Fails if the fixture holds a tensor the layer did not use.
     */
    static void checkLayer(Fixture f, Layer layer) {
        boolean train = f.get("mode").equals("train");
        for (Parameter p : layer.parameters()) {
            Tensor v = f.tensor(p.name());
            assertEquals(v.shape(), p.value().shape(), f + ": shape of " + p.name() + " in " + layer);
            p.value().copyFrom(v);
        }
        Tensor y = layer.forward(f.tensor("x"), train ? Mode.TRAIN : Mode.EVAL);
        assertMatches(f, "y", y, OUTPUT_TOL);
        if (train) {
            Layers.zeroGrad(layer);
            Tensor dx = layer.backward(f.tensor("dy"));
            assertMatches(f, "dx", dx, GRADIENT_TOL);
            for (Parameter p : layer.parameters()) {
                if (p.isTrainable()) assertMatches(f, "d" + p.name(), p.grad(), GRADIENT_TOL);
                else assertMatches(f, p.name() + "_after", p.value(), GRADIENT_TOL);
            }
        }
        assertEquals(Set.of(), f.unused(), f + ": fixture tensors that " + layer + " has no counterpart for");
    }

    /** Mean loss and d(loss)/dx for the fixture's x and target. */
    static void checkLoss(Fixture f, Loss loss) {
        float value = loss.forward(f.tensor("x"), f.tensor("target"));
        assertMatches(f, "loss", Tensor.of(new float[] {value}, 1), OUTPUT_TOL);
        assertMatches(f, "dx", loss.backward(), GRADIENT_TOL);
        assertEquals(Set.of(), f.unused(), f + ": fixture tensors the loss has no counterpart for");
    }

    /** Same shape and every element within {@code tol * max(1, |expected|)}; names the first bad element. */
    static void assertMatches(Fixture f, String name, Tensor actual, double tol) {
        Tensor expected = f.tensor(name);
        assertEquals(expected.shape(), actual.shape(), f + ": shape of " + name);
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.at(i), a = actual.at(i);
            if (!(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)))) {
                fail(f + ": " + name + Arrays.toString(unravel(i, expected.shape().dims())) + " expected " + e + ", got " + a
                        + " (|diff| " + (float) Math.abs(a - e) + ", tolerance " + tol + " x max(1, |expected|))");
            }
        }
    }

    private static int[] unravel(int flat, int[] dims) {
        int[] index = new int[dims.length];
        for (int i = dims.length - 1; i >= 0; i--) {
            index[i] = flat % dims[i];
            flat /= dims[i];
        }
        return index;
    }
}
