package org.conv4j.kernel;

import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The fast activation kernels against the reference ones on offset views larger than one block. */
class ActivationsTest {

    /** Items [1, n + 1) of a random (n + 1, dims...) tensor: a view whose offset is not 0. */
    private static Tensor view(SplittableRandom rng, int n, int... item) {
        int[] dims = new int[item.length + 1];
        dims[0] = n + 1;
        System.arraycopy(item, 0, dims, 1, item.length);
        return Tensor.uniform(rng, -4f, 4f, dims).slice(1, n + 1);
    }

    @Test
    void fastMatchesReferenceOnOffsetViews() {
        SplittableRandom rng = new SplittableRandom(101);
        for (int n : new int[] {1, 3, 20}) {
            Tensor x = view(rng, n, 12, 33, 33), dy = view(rng, n, 12, 33, 33), y0 = view(rng, n, 12, 33, 33);
            Tensor a = Tensor.zeros(x.shape()), b = Tensor.zeros(x.shape());

            Activations.leakyRelu(x, 0.1f, a);
            Activations.referenceLeakyRelu(x, 0.1f, b);
            assertSameBits(b, a);
            Activations.leakyReluBackward(x, 0.1f, dy, a);
            Activations.referenceLeakyReluBackward(x, 0.1f, dy, b);
            assertSameBits(b, a);

            Activations.sigmoid(x, a);
            Activations.referenceSigmoid(x, b);
            assertSameBits(b, a);
            Activations.sigmoidBackward(y0, dy, a);
            Activations.referenceSigmoidBackward(y0, dy, b);
            assertSameBits(b, a);

            Activations.tanh(x, a);
            Activations.referenceTanh(x, b);
            assertSameBits(b, a);
            Activations.tanhBackward(y0, dy, a);
            Activations.referenceTanhBackward(y0, dy, b);
            assertSameBits(b, a);

            int pieces = 3, groups = 4, plane = 33 * 33;
            Tensor m = Tensor.zeros(n, groups, 33, 33), mRef = Tensor.zeros(n, groups, 33, 33);
            int[] arg = new int[m.size()], argRef = new int[m.size()];
            Activations.maxout(x, n, groups, pieces, plane, m, arg);
            Activations.referenceMaxout(x, n, groups, pieces, plane, mRef, argRef);
            assertSameBits(mRef, m);
            assertArrayEquals(argRef, arg);
            Tensor dm = view(rng, n, groups, 33, 33);
            Activations.maxoutBackward(arg, n, groups, pieces, plane, dm, a);
            Activations.referenceMaxoutBackward(argRef, n, groups, pieces, plane, dm, b);
            assertSameBits(b, a);
        }
    }
}
