package org.conv4j.kernel;

/**
 * The sizes of one 2-D convolution or pooling window over one image: input {@code c x h x w},
 * kernel {@code kh x kw}, stride, dilation, padding top/bottom/left/right, and the output
 * size {@code oh x ow} from SPEC 1: {@code oh = floor((h + pt + pb - dh*(kh-1) - 1) / sh) + 1}.
 */
public final class ConvGeometry {
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
        int span = in + totalPad - dilation * (k - 1) - 1;
        if (span < 0) return 0;
        return (ceil ? (span + stride - 1) / stride : span / stride) + 1;
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
