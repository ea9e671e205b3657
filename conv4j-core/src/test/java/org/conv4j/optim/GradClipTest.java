package org.conv4j.optim;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import org.conv4j.nn.Linear;
import org.conv4j.nn.Parameter;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class GradClipTest {
    /** Gradients (3, 4) and (12): global norm sqrt(9 + 16 + 144) = 13; plus a buffer that must be ignored. */
    private static Map<String, Parameter> params() {
        Map<String, Parameter> m = new LinkedHashMap<>();
        Parameter w = Parameter.trainable("weight", Tensor.zeros(2));
        w.grad().copyFrom(Tensor.of(new float[] {3f, 4f}, 2));
        Parameter b = Parameter.trainable("bias", Tensor.zeros(1));
        b.grad().fill(12f);
        m.put("fc.weight", w);
        m.put("bn.running_var", Parameter.buffer("running_var", Tensor.of(new float[] {1000f}, 1)));
        m.put("fc.bias", b);
        return m;
    }

    @Test
    void scalesByMaxNormOverNormPlusEpsilonAndReturnsTheNorm() {
        Map<String, Parameter> ps = params();
        assertEquals(13.0, GradClip.globalNorm(ps));
        assertEquals(13.0, GradClip.clipGradNorm(ps, 6.5));
        float coef = (float) (6.5 / (13 + 1e-6));
        assertSameBits(Tensor.of(new float[] {3f * coef, 4f * coef}, 2), ps.get("fc.weight").grad());
        assertSameBits(Tensor.of(new float[] {12f * coef}, 1), ps.get("fc.bias").grad());
        assertClose(new float[] {1.5f, 2f}, ps.get("fc.weight").grad(), 1e-6);
        assertEquals(6.5, GradClip.globalNorm(ps), 1e-5);
    }

    @Test
    void leavesGradientsBelowTheLimitUntouched() {
        Map<String, Parameter> ps = params();
        assertEquals(13.0, GradClip.clipGradNorm(ps, 13.5));
        assertSameBits(Tensor.of(new float[] {3f, 4f}, 2), ps.get("fc.weight").grad());
        assertSameBits(Tensor.of(new float[] {12f}, 1), ps.get("fc.bias").grad());
    }

    @Test
    void nonFiniteNormNamesTheFirstBadParameterAndChangesNothing() {
        Map<String, Parameter> ps = params();
        ps.get("fc.bias").grad().fill(Float.POSITIVE_INFINITY);
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> GradClip.clipGradNorm(ps, 1));
        assertEquals("clipGradNorm: the total gradient norm is Infinity; the first non-finite gradient is 'fc.bias' [1], element 0 = Infinity",
                e.getMessage());
        ps.get("fc.weight").grad().set(Float.NaN, 1);
        e = assertThrows(ArithmeticException.class, () -> GradClip.clipGradNorm(ps, 1));
        assertEquals("clipGradNorm: the total gradient norm is NaN; the first non-finite gradient is 'fc.weight' [2], element 1 = NaN",
                e.getMessage());
        assertEquals(3f, ps.get("fc.weight").grad().at(0));
    }

    @Test
    void clipsAWholeModelAndByValue() {
        Linear fc = new Linear(3, 2);
        fc.weight().grad().fill(2f);
        fc.biasParameter().grad().fill(2f);
        // eight elements of 2: norm sqrt(32)
        assertEquals(Math.sqrt(32), GradClip.clipGradNorm(fc, 1.0), 1e-12);
        assertEquals(1.0, GradClip.globalNorm(org.conv4j.nn.Layers.namedParameters(fc)), 1e-6);

        Map<String, Parameter> ps = params();
        GradClip.clipGradValue(ps, 3.5);
        assertSameBits(Tensor.of(new float[] {3f, 3.5f}, 2), ps.get("fc.weight").grad());
        assertSameBits(Tensor.of(new float[] {3.5f}, 1), ps.get("fc.bias").grad());
        assertEquals(1000f, ps.get("bn.running_var").value().at(0));
    }

    @Test
    void rejectsBadLimits() {
        assertEquals("clipGradNorm: maxNorm must be finite and > 0, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradNorm(params(), 0)).getMessage());
        assertEquals("clipGradValue: clipValue must be finite and > 0, got NaN",
                assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradValue(params(), Double.NaN)).getMessage());
    }
}
