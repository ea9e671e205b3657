package org.conv4j.kernel;

import static org.conv4j.testing.Assertions2.assertSameBits;

import java.util.SplittableRandom;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ElementwiseTest {

    @Test
    void reluMatchesTheReferenceBitForBitIncludingZerosInfinitiesAndNaN() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int n : new int[] {1, 7, 16384, 40001}) {
            Tensor big = Tensor.uniform(rng, -2f, 2f, n + 3);
            float[] d = big.data();
            d[0] = 0f;
            d[1] = -0f;
            d[2] = Float.NaN;
            if (n > 3) {
                d[3] = Float.POSITIVE_INFINITY;
                d[4] = Float.NEGATIVE_INFINITY;
                d[5] = Float.MIN_VALUE;
                d[6] = -Float.MIN_VALUE;
            }
            Tensor x = Tensor.view(d, 0, big.shape().withDim(0, n)); // an offset-free view; and one with an offset below
            for (Tensor in : new Tensor[] {x, Tensor.view(d, 3, big.shape().withDim(0, n))}) {
                Tensor y = Tensor.zeros(n), yRef = Tensor.zeros(n);
                Elementwise.relu(in, y);
                Elementwise.referenceRelu(in, yRef);
                assertSameBits(yRef, y);
                Tensor dy = Tensor.uniform(rng, -1f, 1f, n), dx = Tensor.zeros(n), dxRef = Tensor.zeros(n);
                Elementwise.reluBackward(y, dy, dx);
                Elementwise.referenceReluBackward(y, dy, dxRef);
                // NaN outputs are the one place the two may differ: training has diverged there anyway
                for (int i = 0; i < n; i++) if (Float.isNaN(y.at(i))) dxRef.data()[i] = dx.at(i);
                assertSameBits(dxRef, dx);
            }
        }
    }

    @Test
    void sumsAddElementByElementOnOddSizesAndOffsets() {
        // add (y = a + b), addRelu (y = max(0, a + b)) and addInto (a += b), on views at offsets
        SplittableRandom rng = new SplittableRandom(6);
        for (int n : new int[] {1, 7, 9, 16385, 40001}) {
            Tensor a = Tensor.view(Tensor.uniform(rng, -2f, 2f, n + 3).data(), 3, org.conv4j.tensor.Shape.of(n));
            Tensor b = Tensor.view(Tensor.uniform(rng, -2f, 2f, n + 1).data(), 1, org.conv4j.tensor.Shape.of(n));
            Tensor y = Tensor.view(new float[n + 4], 4, org.conv4j.tensor.Shape.of(n));
            float[] sum = new float[n], relu = new float[n];
            for (int i = 0; i < n; i++) {
                sum[i] = a.at(i) + b.at(i);
                relu[i] = Math.max(sum[i], 0f);
            }
            Elementwise.add(a, b, y);
            assertSameBits(Tensor.of(sum, n), y);
            Elementwise.addRelu(a, b, y);
            assertSameBits(Tensor.of(relu, n), y);
            Elementwise.addInto(a, b);
            assertSameBits(Tensor.of(sum, n), a);
        }
    }
}
