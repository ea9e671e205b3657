package org.conv4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Set;
import org.conv4j.tensor.Shape;
import org.junit.jupiter.api.Test;

class SubsetTest {
    private static ArrayDataset numbers(int n) {
        float[] x = new float[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            labels[i] = i % 3;
        }
        return new ArrayDataset(x, labels, Shape.of(1, 1, 1), 3);
    }

    @Test
    void splitPartitionsTheSamplesReproducibly() {
        ArrayDataset d = numbers(50);
        Subset[] a = Subset.split(d, 10, 7), b = Subset.split(d, 10, 7);
        assertEquals(40, a[0].size());
        assertEquals(10, a[1].size());
        Set<Float> seen = new HashSet<>();
        float[] one = new float[1];
        for (Subset part : a) {
            for (int i = 0; i < part.size(); i++) {
                part.copySample(i, one, 0);
                seen.add(one[0]);
                assertEquals(((int) one[0]) % 3, part.label(i));
            }
        }
        assertEquals(50, seen.size());
        float[] x = new float[1], y = new float[1];
        for (int i = 0; i < 10; i++) {
            a[1].copySample(i, x, 0);
            b[1].copySample(i, y, 0);
            assertArrayEquals(x, y);
        }
        assertEquals(3, a[1].numClasses());
    }

    @Test
    void rejectsBadIndices() {
        assertThrows(IllegalArgumentException.class, () -> new Subset(numbers(3), new int[] {3}));
        assertThrows(IllegalArgumentException.class, () -> Subset.split(numbers(3), 4, 1));
    }
}
