package org.conv4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.conv4j.tensor.Shape;
import org.junit.jupiter.api.Test;

class ArrayDatasetTest {

    @Test
    void copiesSamplesAndLabels() {
        float[] data = new float[3 * 2 * 2 * 2];
        for (int i = 0; i < data.length; i++) data[i] = i;
        ArrayDataset d = new ArrayDataset(data, new int[] {2, 0, 1}, Shape.of(2, 2, 2), 4);
        assertEquals(3, d.size());
        assertEquals(4, d.numClasses());
        assertEquals(Shape.of(2, 2, 2), d.sampleShape());
        assertEquals(8, d.sampleSize());
        float[] dst = new float[10];
        d.copySample(1, dst, 2);
        assertArrayEquals(new float[] {0, 0, 8, 9, 10, 11, 12, 13, 14, 15}, dst);
        assertEquals(2, d.label(0));
        assertEquals(1, d.label(2));
    }

    @Test
    void infersTheClassCountFromTheLargestLabel() {
        assertEquals(6, new ArrayDataset(new float[2], new int[] {5, 1}, Shape.of(1, 1, 1)).numClasses());
    }

    @Test
    void validatesWithClearMessages() {
        var e = assertThrows(IllegalArgumentException.class, () -> new ArrayDataset(new float[7], new int[] {0, 1}, Shape.of(1, 2, 2), 2));
        assertEquals("ArrayDataset: 2 labels with sample shape [1, 2, 2] need 8 values, got 7", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ArrayDataset(new float[8], new int[] {0, 2}, Shape.of(1, 2, 2), 2));
        assertEquals("ArrayDataset: label 2 of sample 1 is outside [0, 2)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ArrayDataset(new float[8], new int[] {0, -1}, Shape.of(1, 2, 2), 2));
        assertTrue(e.getMessage().contains("label -1 of sample 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ArrayDataset(new float[4], new int[] {0}, Shape.of(4), 2));
        assertTrue(e.getMessage().contains("sample shape must be (C, H, W), got [4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ArrayDataset(new float[0], new int[0], Shape.of(1, 1, 1), 2));
        assertTrue(e.getMessage().contains("at least one sample"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ArrayDataset(new float[1], new int[] {0}, Shape.of(1, 1, 1), 0));
        assertTrue(e.getMessage().contains("numClasses must be positive, got 0"), e.getMessage());
        ArrayDataset d = new ArrayDataset(new float[2], new int[] {0, 1}, Shape.of(1, 1, 1), 2);
        assertThrows(IndexOutOfBoundsException.class, () -> d.copySample(2, new float[1], 0));
        assertThrows(IndexOutOfBoundsException.class, () -> d.label(-1));
    }

    @Test
    void classNamesAreTheIndicesUnlessGiven() {
        ArrayDataset d = new ArrayDataset(new float[3], new int[] {0, 2, 1}, Shape.of(1, 1, 1), 3);
        assertEquals(java.util.List.of("0", "1", "2"), d.classNames());
        ArrayDataset named = d.withClassNames(java.util.List.of("cat", "dog", "owl"));
        assertEquals(java.util.List.of("cat", "dog", "owl"), named.classNames());
        assertEquals(2, named.label(1));
        var e = assertThrows(IllegalArgumentException.class, () -> d.withClassNames(java.util.List.of("cat", "dog")));
        assertEquals("ArrayDataset: 2 class names for 3 classes: [cat, dog]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> d.withClassNames(java.util.List.of("cat", "cat", "owl")));
        assertEquals("ArrayDataset: class names must be non-blank and all different, got [cat, cat, owl]", e.getMessage());
    }
}
