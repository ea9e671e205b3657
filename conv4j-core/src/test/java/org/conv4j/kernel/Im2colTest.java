package org.conv4j.kernel;

import static org.conv4j.testing.Assertions2.assertClose;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Init;
import org.conv4j.nn.Mode;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class Im2colTest {

    @Test
    void spec1ExampleTwoByFourByFourWithThreeKernelsIsANineByEightTimesEightByThreeProduct() {
        // 2x4x4 input, 2x2 kernels over 2 channels: 9 windows of 8 values (stored transposed: 8 rows x 9 columns)
        ConvGeometry g = new ConvGeometry(2, 4, 4, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, PaddingMode.ZEROS);
        assertEquals(8, g.colRows(2));
        assertEquals(9, g.outPlane());
        float[] x = new float[32];
        for (int i = 0; i < 32; i++) x[i] = i;
        float[] col = new float[72];
        Im2col.im2col(g, x, 0, 0, 2, col);
        // column 0 is the first window: channel 0 values 0,1,4,5 then channel 1 values 16,17,20,21
        float[] firstWindow = {0, 1, 4, 5, 16, 17, 20, 21};
        for (int r = 0; r < 8; r++) assertEquals(firstWindow[r], col[r * 9], "row " + r);
        // column 4 is the centre window starting at (1,1)
        float[] centre = {5, 6, 9, 10, 21, 22, 25, 26};
        for (int r = 0; r < 8; r++) assertEquals(centre[r], col[r * 9 + 4], "row " + r);
    }

    @Test
    void col2imIsTheAdjointOfIm2col() {
        // <im2col(x), c> == <x, col2im(c)> for every padding mode and stride
        SplittableRandom rng = new SplittableRandom(9);
        for (PaddingMode mode : PaddingMode.values()) {
            ConvGeometry g = new ConvGeometry(3, 7, 6, 3, 2, 2, 1, 2, 1, 2, 1, 1, 1, mode);
            float[] x = random(rng, 3 * 7 * 6).data();
            float[] c = random(rng, g.colRows(3) * g.outPlane()).data();
            float[] col = new float[c.length];
            Im2col.im2col(g, x, 0, 0, 3, col);
            float[] back = new float[x.length];
            Im2col.col2im(g, c, back, 0, 0, 3);
            double lhs = 0, rhs = 0;
            for (int i = 0; i < c.length; i++) lhs += (double) col[i] * c[i];
            for (int i = 0; i < x.length; i++) rhs += (double) x[i] * back[i];
            assertEquals(lhs, rhs, 1e-4 * Math.max(1, Math.abs(lhs)), mode.toString());
        }
    }

    @Test
    void inputGradientIsTheFullConvolutionOfTheStrideExpandedSensitivityMapWithTheRotatedFilter() {
        // SPEC 1 backward, computed the sources' way and compared with the layer
        Init.seed(4);
        int c = 2, oc = 3, h = 7, w = 7, k = 3, s = 2;
        Conv2d conv = new Conv2d(c, oc, k).stride(s);
        Tensor x = random(new SplittableRandom(4), 1, c, h, w);
        Tensor y = conv.forward(x, Mode.TRAIN);
        Tensor dy = random(new SplittableRandom(5), y.shape().dims());
        Tensor dx = conv.backward(dy);

        int oh = y.dim(2), ow = y.dim(3);
        int eh = (oh - 1) * s + 1, ew = (ow - 1) * s + 1;     // stride expanded back to stride 1
        int ph = eh + 2 * (k - 1), pw = ew + 2 * (k - 1);     // zero-padded by k-1 on each side
        Tensor expected = Tensor.zeros(1, c, h, w);
        Tensor wt = conv.weight().value();
        for (int ci = 0; ci < c; ci++) {
            for (int o = 0; o < oc; o++) {
                float[][] padded = new float[ph][pw];
                for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) padded[k - 1 + i * s][k - 1 + j * s] = dy.get(0, o, i, j);
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        if (i > ph - k || j > pw - k) continue; // rows the forward never read get no gradient
                        float sum = 0;
                        for (int a = 0; a < k; a++) for (int b = 0; b < k; b++) sum += padded[i + a][j + b] * wt.get(o, ci, k - 1 - a, k - 1 - b);
                        expected.set(expected.get(0, ci, i, j) + sum, 0, ci, i, j);
                    }
                }
            }
        }
        assertClose(expected, dx, 1e-5);
    }
}
