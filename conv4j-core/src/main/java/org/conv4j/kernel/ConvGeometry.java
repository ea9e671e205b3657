package org.conv4j.kernel;

/**
 * The sizes of one 2-D convolution or pooling window over one image: input {@code c x h x w},
 * kernel {@code kh x kw}, stride, dilation, padding top/bottom/left/right, and the output
 * size {@code oh x ow} from SPEC 1: {@code oh = floor((h + pt + pb - dh*(kh-1) - 1) / sh) + 1}.
 */
public final class ConvGeometry {
    /**
     * The largest kernel size, stride, padding or dilated kernel span (dilation*(k-1)+1) a layer
     * accepts, 2^24: beyond it no padded image fits the int-indexed arrays the kernels use, and
     * sums of such values cannot overflow an int.
     */
    public static final int MAX_EXTENT = 1 << 24;
    /** The most elements one array of the kernels may hold (the largest Java array). */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    public final int c, h, w, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, oh, ow;
    public final PaddingMode mode;

    public ConvGeometry(int c, int h, int w, int kh, int kw, int sh, int sw, int dh, int dw,
                        int pt, int pb, int pl, int pr, PaddingMode mode) {
        this(c, h, w, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, mode,
                outSize(h, kh, sh, dh, pt + pb, false), outSize(w, kw, sw, dw, pl + pr, false));
    }

    /** With an explicit output size (pooling's ceil mode computes its own). */
    public ConvGeometry(int c, int h, int w, int kh, int kw, int sh, int sw, int dh, int dw,
                        int pt, int pb, int pl, int pr, PaddingMode mode, int oh, int ow) {
        this.c = c;
        this.h = h;
        this.w = w;
        this.kh = kh;
        this.kw = kw;
        this.sh = sh;
        this.sw = sw;
        this.dh = dh;
        this.dw = dw;
        this.pt = pt;
        this.pb = pb;
        this.pl = pl;
        this.pr = pr;
        this.mode = mode;
        this.oh = oh;
        this.ow = ow;
    }

    /** PyTorch's output-size rule: floor (or ceil) of (in + pad - dilation*(k-1) - 1) / stride + 1. */
    public static int outSize(int in, int k, int stride, int dilation, int totalPad, boolean ceil) {
        // in long: the configured values may each be near 2^31 (validate rejects what does not fit)
        long span = (long) in + totalPad - (long) dilation * (k - 1) - 1;
        if (span < 0) return 0;
        return (int) Math.min(Integer.MAX_VALUE, (ceil ? (span + stride - 1) / stride : span / stride) + 1);
    }

    /**
     * This geometry, after checking that the padded input and the im2col matrix of one image fit
     * the kernels' int-indexed arrays; else an {@link IllegalArgumentException} "layer: ..." with
     * the size and the limit.
     */
    public ConvGeometry validate(String layer) {
        long hp = (long) h + pt + pb, wp = (long) w + pl + pr;
        within(layer, "the padded input " + c + "x" + hp + "x" + wp, product(c, hp, wp));
        within(layer, "the im2col matrix of one image, " + c + "*" + kh + "*" + kw + " rows x " + oh + "*" + ow + " columns",
                product(product(c, kh, kw), oh, ow));
        return this;
    }

    private static void within(String layer, String what, long elements) {
        if (elements > MAX_ELEMENTS) {
            throw new IllegalArgumentException(String.format("%s: %s has %s elements, over the limit of %d (the largest array)",
                    layer, what, elements == Long.MAX_VALUE ? "more than 2^63" : String.format("%,d", elements), MAX_ELEMENTS));
        }
    }

    /** a * b * c for non-negative values, Long.MAX_VALUE when it overflows. */
    static long product(long a, long b, long c) {
        try {
            return Math.multiplyExact(Math.multiplyExact(a, b), c);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Rows of the im2col matrix for {@code channels} input channels. */
    public int colRows(int channels) {
        return channels * kh * kw;
    }

    public int outPlane() {
        return oh * ow;
    }

    @Override
    public String toString() {
        return String.format("%dx%dx%d kernel %dx%d stride %dx%d dilation %dx%d padding [%d, %d, %d, %d] %s -> %dx%d",
                c, h, w, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, mode.name().toLowerCase(), oh, ow);
    }
}
