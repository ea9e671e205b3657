package org.conv4j.kernel;

/**
 * The sizes of one 3-D convolution or pooling window over one (C, D, H, W) volume: kernel
 * {@code kd x kh x kw}, stride, dilation, symmetric zero padding per axis and the output size
 * {@code od x oh x ow} (computed by the caller: convolution and pooling round differently).
 */
public record VolumeGeometry(int c, int d, int h, int w, int kd, int kh, int kw, int sd, int sh, int sw,
                             int dd, int dh, int dw, int pd, int ph, int pw, int od, int oh, int ow) {

    /** Values of one input channel. */
    public int inVolume() {
        return d * h * w;
    }

    /** Values of one output channel. */
    public int outVolume() {
        return od * oh * ow;
    }

    public int taps() {
        return kd * kh * kw;
    }
}
