package org.conv4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void medianOfAnOddCountIsTheMiddleValue() {
        Stats s = Stats.of(new double[] {5, 1, 9, 3, 7});
        assertEquals(5, s.median());
        assertEquals(1, s.min());
        assertEquals(9, s.max());
        assertEquals(5, s.count());
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheTwoMiddleValues() {
        Stats s = Stats.of(new double[] {10, 2, 4, 100});
        assertEquals(7, s.median());
        assertEquals(2, s.min());
        assertEquals(100, s.max());
    }

    @Test
    void oneValueIsItsOwnMedianMinAndMax() {
        Stats s = Stats.of(new double[] {3.5});
        assertEquals(new Stats(3.5, 3.5, 3.5, 1), s);
    }

    @Test
    void anOutlierMovesTheMedianLessThanTheMean() {
        // one repeat slowed by a neighbour: the median stays with the others
        Stats s = Stats.of(new double[] {100, 101, 99, 100, 20});
        assertEquals(100, s.median());
        assertEquals(20, s.min());
    }

    @Test
    void theInputIsNotReordered() {
        double[] v = {3, 1, 2};
        Stats.of(v);
        assertEquals(3, v[0]);
        assertEquals(1, v[1]);
    }

    @Test
    void scaleMultipliesEveryStatistic() {
        Stats s = Stats.of(new double[] {1000, 2000, 3000}).scale(0.5e-3);
        assertEquals(1.0, s.median(), 1e-12);
        assertEquals(0.5, s.min(), 1e-12);
        assertEquals(1.5, s.max(), 1e-12);
        assertEquals(3, s.count());
    }

    @Test
    void badInputIsRejectedWithAMessage() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Stats.of(new double[0])).getMessage()
                .contains("Stats: need at least one value"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Stats.of(new double[] {1, Double.NaN})).getMessage()
                .contains("must be finite, got NaN"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Stats.of(new double[] {1}).scale(0)).getMessage()
                .contains("scale factor must be > 0, got 0.0"));
    }
}
