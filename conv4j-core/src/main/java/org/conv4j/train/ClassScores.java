package org.conv4j.train;

import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * The layout the classification metrics read: scores (N, K) or per position (N, K, d1, ...) and
 * class indices (N) or (N, d1, ...). Position p of sample n has its K scores {@code inner}
 * elements apart from {@link #base}.
 */
final class ClassScores {
    final int samples, classes, inner;
    private final Tensor scores, target;

    ClassScores(String metric, Tensor scores, Tensor target) {
        Shape s = scores.shape();
        if (s.rank() < 2) throw new IllegalArgumentException(metric + ": expected scores (N, classes) or (N, classes, d1, ...), got " + s);
        int[] d = new int[s.rank() - 1];
        d[0] = s.dim(0);
        for (int i = 2; i < s.rank(); i++) d[i - 1] = s.dim(i);
        if (!target.shape().equals(Shape.of(d))) {
            throw new IllegalArgumentException(metric + ": expected class indices of shape " + Shape.of(d) + " for scores " + s + ", got " + target.shape());
        }
        this.scores = scores;
        this.target = target;
        this.samples = s.dim(0);
        this.classes = s.dim(1);
        this.inner = s.sizeFrom(2);
    }

    /** The number of positions, N * d1 * ... */
    int positions() {
        return samples * inner;
    }

    /** Where the scores of position {@code pos} (in 0 .. positions()) start. */
    int base(int pos) {
        return (pos / inner) * classes * inner + pos % inner;
    }

    float score(int pos, int c) {
        return scores.at(base(pos) + c * inner);
    }

    /** The true class of a position, checked; {@code ignore} itself when the label is the ignore index. */
    int label(String metric, int pos, int ignore) {
        float v = target.at(pos);
        int c = (int) v;
        if (c == v && c == ignore) return c;
        if (c != v || c < 0 || c >= classes) {
            throw new IllegalArgumentException(metric + ": label " + v + " at position " + pos + " is not a class in [0, " + classes + ") nor the ignore index " + ignore);
        }
        return c;
    }

    /** The true class of a position, checked. */
    int label(String metric, int pos) {
        float v = target.at(pos);
        int c = (int) v;
        if (c != v || c < 0 || c >= classes) throw new IllegalArgumentException(metric + ": label " + v + " at position " + pos + " is not a class in [0, " + classes + ")");
        return c;
    }
}
