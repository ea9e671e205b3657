package org.conv4j.nn;

import org.conv4j.kernel.ConvGeometry;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/** Preconditions with messages that name the layer and the expected and actual values. */
final class Check {
    private Check() {
    }

    static void arg(boolean ok, String layer, String format, Object... args) {
        if (!ok) throw new IllegalArgumentException(layer + ": " + String.format(format, args));
    }

    /** An {@link IllegalStateException}: the call conflicts with what the layer already did. */
    static void state(boolean ok, String layer, String format, Object... args) {
        if (!ok) throw new IllegalStateException(layer + ": " + String.format(format, args));
    }

    static void positive(int value, String layer, String what) {
        arg(value > 0, layer, "%s must be positive, got %d", what, value);
    }

    static void nonNegative(int value, String layer, String what) {
        arg(value >= 0, layer, "%s must be >= 0, got %d", what, value);
    }

    /** A kernel size, stride or dilation: positive and at most {@link ConvGeometry#MAX_EXTENT}. */
    static void extent(long value, String layer, String what) {
        arg(value > 0, layer, "%s must be positive, got %d", what, value);
        arg(value <= ConvGeometry.MAX_EXTENT, layer, "%s %d is over the limit of %d", what, value, ConvGeometry.MAX_EXTENT);
    }

    /** A padding: at least 0 and at most {@link ConvGeometry#MAX_EXTENT}. */
    static void padding(int value, String layer) {
        arg(value >= 0, layer, "padding must be >= 0, got %d", value);
        arg(value <= ConvGeometry.MAX_EXTENT, layer, "padding %d is over the limit of %d", value, ConvGeometry.MAX_EXTENT);
    }

    /** The span of a dilated kernel, dilation*(k-1)+1, computed in long: at most {@link ConvGeometry#MAX_EXTENT}. */
    static void span(int dilation, int kernel, String layer, String what) {
        long span = (long) dilation * (kernel - 1) + 1;
        arg(span <= ConvGeometry.MAX_EXTENT, layer, "%s dilation %d x (kernel %d - 1) + 1 = %d is over the limit of %d",
                what, dilation, kernel, span, ConvGeometry.MAX_EXTENT);
    }

    static void rank(Shape s, int rank, String layer, String layout) {
        arg(s.rank() == rank, layer, "expected a rank-%d input %s, got shape %s", rank, layout, s);
    }

    /** Fails if a backward arrives before any TRAIN forward. */
    static void saved(Object saved, String layer) {
        if (saved == null) throw new IllegalStateException(layer + ": backward called without a preceding forward in TRAIN mode");
    }

    static void sameShape(Tensor grad, Shape expected, String layer) {
        arg(grad.shape().equals(expected), layer, "gradient shape %s does not match the output shape %s", grad.shape(), expected);
    }
}
