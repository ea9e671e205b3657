package org.conv4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Mean IoU, pixel accuracy and the segmentation evaluation on a hand-counted example. */
class SegmentationMetricsTest {
    private static final int IGNORE = 255;

    // one image, 3 classes, 6 pixels; scores are one-hot on the predicted class
    private static Tensor scores(int... predicted) {
        Tensor s = Tensor.zeros(1, 3, 1, predicted.length);
        for (int p = 0; p < predicted.length; p++) s.data()[predicted[p] * predicted.length + p] = 1;
        return s;
    }

    private static Tensor labels(float... t) {
        return Tensor.of(t, 1, 1, t.length);
    }

    @Test
    void meanIoUAndPixelAccuracyCountByHandAndLeaveIgnoredPixelsOut() {
        Tensor s = scores(0, 0, 1, 1, 2, 0);
        Tensor t = labels(0, 1, 1, 1, IGNORE, 0);
        // counted: (0,0) (1,0) (1,1) (1,1) (0,0); the ignored pixel predicted 2 counts nowhere
        // class 0: tp 2, truth 2, predicted 3 -> 2/3; class 1: tp 2, truth 3, predicted 2 -> 2/3; class 2: absent -> left out
        MeanIoU iou = new MeanIoU(IGNORE);
        PixelAccuracy acc = new PixelAccuracy(IGNORE);
        iou.reset();
        acc.reset();
        iou.add(s, t);
        acc.add(s, t);
        assertEquals(2.0 / 3, iou.value(), 1e-12);
        assertEquals(4.0 / 5, acc.value(), 1e-12);
        SegmentationEvaluation ev = new SegmentationEvaluation(3, IGNORE);
        ev.add(s, t, 0.5);
        assertEquals(2.0 / 3, ev.meanIoU(), 1e-12);
        assertEquals(0.8, ev.pixelAccuracy(), 1e-12);
        assertEquals(5, ev.pixels());
        double[] per = ev.perClassIoU();
        assertEquals(2.0 / 3, per[0], 1e-12);
        assertEquals(2.0 / 3, per[1], 1e-12);
        assertEquals(Double.NaN, per[2]);
        assertArrayEquals(new long[] {2, 0, 0}, ev.confusion()[0]);
        assertArrayEquals(new long[] {1, 2, 0}, ev.confusion()[1]);
        assertEquals(0.5, ev.loss(), 0);
        // a class predicted but never labelled counts, with IoU 0
        iou.add(scores(2), labels(0));
        assertEquals((2.0 / 4 + 2.0 / 3 + 0) / 3, iou.value(), 1e-12);
        iou.reset();
        assertEquals(Double.NaN, iou.value());
    }

    @Test
    void aLabelOutOfRangeOrAMismatchedMaskIsRefused() {
        MeanIoU iou = new MeanIoU(IGNORE);
        iou.reset();
        var e = assertThrows(IllegalArgumentException.class, () -> iou.add(scores(0, 1), labels(0, 3)));
        assertEquals("MeanIoU: label 3.0 at position 1 is not a class in [0, 3) nor the ignore index 255", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> iou.add(scores(0, 1), labels(0, 1, 1)));
        assertEquals("MeanIoU: expected class indices of shape [1, 1, 2] for scores [1, 3, 1, 2], got [1, 1, 3]", e.getMessage());
    }
}
