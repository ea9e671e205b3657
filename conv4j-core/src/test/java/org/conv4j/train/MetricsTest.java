package org.conv4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Accuracy and top-k over (N, C) scores and per position over (N, C, H, W). */
class MetricsTest {

    @Test
    void accuracyAndTopKOverRows() {
        Tensor scores = Tensor.of(new float[] {0.1f, 0.7f, 0.2f, 0.5f, 0.2f, 0.3f, 0.3f, 0.3f, 0.4f}, 3, 3);
        Tensor labels = Tensor.of(new float[] {1, 2, 1}, 3);
        Accuracy acc = new Accuracy();
        acc.add(scores, labels);
        assertEquals(1.0 / 3, acc.value(), "only row 0's arg-max is right");
        TopKAccuracy top2 = new TopKAccuracy(2);
        top2.add(scores, labels);
        assertEquals(2.0 / 3, top2.value(), "row 1's class 2 is second; row 2's class 1 ties with class 0, which arg-max orders first, so it is third");
        acc.reset();
        assertEquals(Double.NaN, acc.value());
        assertEquals("top2", top2.name());
    }

    @Test
    void perPositionScoresCountEveryPixel() {
        // N=1, C=2, H=1, W=3: channel 0 then channel 1
        Tensor scores = Tensor.of(new float[] {0.9f, 0.1f, 0.4f, 0.1f, 0.8f, 0.6f}, 1, 2, 1, 3);
        Tensor masks = Tensor.of(new float[] {0, 1, 0}, 1, 1, 3);
        Accuracy acc = new Accuracy();
        acc.add(scores, masks);
        assertEquals(2.0 / 3, acc.value(), "pixels 0 and 1 right, pixel 2 predicted 1");
        acc.add(scores, Tensor.of(new float[] {0, 1, 1}, 1, 1, 3));
        assertEquals(5.0 / 6, acc.value(), "accumulated over batches");
    }

    @Test
    void aTargetOfTheWrongShapeOrClassIsRefused() {
        Tensor scores = Tensor.zeros(2, 3, 4, 4);
        var e = assertThrows(IllegalArgumentException.class, () -> new Accuracy().add(scores, Tensor.zeros(2)));
        assertEquals("Accuracy: expected class indices of shape [2, 4, 4] for scores [2, 3, 4, 4], got [2]", e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> new TopKAccuracy(1).add(Tensor.zeros(1, 3), Tensor.of(new float[] {3}, 1)));
        assertEquals("TopKAccuracy: label 3.0 at position 0 is not a class in [0, 3)", e2.getMessage());
    }
}
