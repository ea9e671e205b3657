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

    @Test
    void aStratifiedSplitKeepsEachClassInProportionAndNeverSharesASample() {
        // 100 samples: class 0 has 50, class 1 has 30, class 2 has 20 (sample i has value i)
        int n = 100;
        float[] x = new float[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            labels[i] = i < 50 ? 0 : i < 80 ? 1 : 2;
        }
        ArrayDataset d = new ArrayDataset(x, labels, Shape.of(1, 1, 1), 3).withClassNames(java.util.List.of("a", "b", "c"));
        Subset[] p = Subset.stratified(d, 0.1, 0.2, 11);
        assertEquals(70, p[0].size());
        assertEquals(10, p[1].size());
        assertEquals(20, p[2].size());
        int[][] perClass = new int[3][3];
        Set<Integer> seen = new HashSet<>();
        for (int part = 0; part < 3; part++) {
            int previous = -1;
            for (int i = 0; i < p[part].size(); i++) {
                int source = p[part].sourceIndex(i);
                assertEquals(true, seen.add(source), "sample " + source + " is in two parts");
                assertEquals(true, source > previous, "each part keeps the source order");
                previous = source;
                perClass[part][p[part].label(i)]++;
            }
        }
        assertEquals(n, seen.size());
        assertArrayEquals(new int[] {35, 21, 14}, perClass[0]);
        assertArrayEquals(new int[] {5, 3, 2}, perClass[1]);
        assertArrayEquals(new int[] {10, 6, 4}, perClass[2]);
        assertEquals(java.util.List.of("a", "b", "c"), p[2].classNames());

        // the same seed gives the same parts, another seed other test samples
        Subset[] again = Subset.stratified(d, 0.1, 0.2, 11), other = Subset.stratified(d, 0.1, 0.2, 12);
        Set<Integer> test = new HashSet<>(), testAgain = new HashSet<>(), testOther = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            test.add(p[2].sourceIndex(i));
            testAgain.add(again[2].sourceIndex(i));
            testOther.add(other[2].sourceIndex(i));
        }
        assertEquals(test, testAgain);
        assertEquals(false, test.equals(testOther));
    }

    @Test
    void aStratifiedSplitRefusesFractionsThatLeaveAClassNothingToTrainOn() {
        ArrayDataset d = new ArrayDataset(new float[] {0, 1, 2}, new int[] {0, 0, 1}, Shape.of(1, 1, 1), 2);
        var e = assertThrows(IllegalArgumentException.class, () -> Subset.stratified(d, 0.3, 0.4, 1));
        assertEquals("Subset: class '0' has 2 samples, too few to keep any for training after 1 for validation and 1 for testing", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Subset.stratified(d, 0.5, 0.5, 1));
    }
}
