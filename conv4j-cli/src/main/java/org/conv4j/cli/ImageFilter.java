package org.conv4j.cli;

import java.awt.image.BufferedImage;
import java.util.Locale;
import org.conv4j.kernel.PaddingMode;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Mode;
import org.conv4j.tensor.Tensor;

/**
 * Fixed-kernel image filtering with the library's own {@link Conv2d} (weight set, no bias), and
 * the mapping of its output to 8-bit pixels (SPEC 4).
 *
 * <p>Channels: a gray image (or a colour file whose three channels are equal) is filtered as one
 * channel. A colour image is filtered as the sources do (SPEC 4(b)): the kernel is repeated over
 * the 3 input channels into one output channel, {@code y = sum_c (k * x_c)}, a gray result; or,
 * per channel, by a depthwise convolution ({@code groups = 3}), a colour result. Magnitude
 * kernels run both components in one convolution and combine them as {@code sqrt(gx^2 + gy^2)}.
 *
 * <p>To 8 bits ({@link Scale}), over the whole output (all channels together, so colours keep
 * their balance): {@code abs}: {@code round(255 sqrt(min(1, |v| / p)))}, where p is the
 * {@value #ABS_PERCENTILE}th percentile of |v| (max|v| when that is 0). Scaling linearly by the
 * single strongest response left a photo's edge map nearly black (mean 14/255 for sobel on
 * docs/images/scene.png): most edges are far weaker than the strongest, so the brightest 0.5%
 * saturate and the square root lifts the weak ones (mean 44/255); {@code minmax}:
 * {@code round(255 (v - min) / (max - min))}; {@code clamp}: {@code round(255 v / m)} clamped to
 * [0, 255], where m is the number of input channels summed into each output channel (3 for a
 * colour image filtered as one channel, else 1), so a blur keeps the image's brightness. A
 * constant output maps to 0 under abs and minmax.
 */
final class ImageFilter {
    /** The percentile of |v| that {@code abs} maps to 255. */
    static final double ABS_PERCENTILE = 99.5;

    private ImageFilter() {
    }

    /** How filter values become 8-bit pixels; see the class comment. */
    enum Scale {
        ABS, MINMAX, CLAMP;

        static Scale parse(String s) {
            switch (s.toLowerCase(Locale.ROOT)) {
                case "abs":
                    return ABS;
                case "minmax":
                    return MINMAX;
                case "clamp":
                    return CLAMP;
                default:
                    throw new Main.UsageError("--scale must be abs, minmax or clamp, got '" + s + "'");
            }
        }

        /** The default for a kernel: abs for derivatives (values of both signs around 0), clamp for smoothing. */
        static Scale defaultFor(Kernels.Kernel k) {
            return k.derivative() ? ABS : CLAMP;
        }
    }

    /** The raw output (1, C, OH, OW) and how many input channels were summed into each of its channels. */
    record Result(Tensor values, int channelsSummed) {
    }

    /** An image (1, C, H, W) with three equal channels as (1, 1, H, W); any other image as it is. */
    static Tensor grayIfEqual(Tensor image) {
        if (image.dim(1) != 3) return image;
        int plane = image.dim(2) * image.dim(3);
        float[] d = image.data();
        int o = image.offset();
        for (int i = 0; i < plane; i++) {
            if (d[o + i] != d[o + plane + i] || d[o + i] != d[o + 2 * plane + i]) return image;
        }
        float[] g = new float[plane];
        System.arraycopy(d, o, g, 0, plane);
        return Tensor.of(g, 1, 1, image.dim(2), image.dim(3));
    }

    /**
     * The Conv2d that applies {@code k}: in channels C, out channels {@code groups * parts} with
     * groups C per channel and 1 otherwise, parts 2 for a magnitude kernel; padding -1 means "same"
     * (the input's size, PyTorch's split for any kernel shape, border pixels repeated), else zeros.
     */
    static Conv2d conv(Kernels.Kernel k, int channels, boolean perChannel, int stride, int padding) {
        int groups = perChannel ? channels : 1, parts = k.components().size();
        Conv2d conv = new Conv2d(channels, groups * parts, k.height(), k.width()).groups(groups).bias(false).stride(stride);
        // "same" repeats the border pixels: zeros would make the picture's frame the strongest edge
        if (padding < 0) conv.padding("same").paddingMode(PaddingMode.REPLICATE);
        else conv.padding(padding);
        // weight is (groups*parts, C/groups, KH, KW): group g's outputs g*parts.. read input channels g*(C/groups)..
        float[] w = conv.weight().value().data();
        int inPerGroup = channels / groups, kk = k.height() * k.width();
        for (int o = 0; o < groups * parts; o++) {
            float[][] m = k.components().get(o % parts);
            for (int c = 0; c < inPerGroup; c++) {
                int base = (o * inPerGroup + c) * kk;
                for (int i = 0; i < k.height(); i++) System.arraycopy(m[i], 0, w, base + i * k.width(), k.width());
            }
        }
        return conv;
    }

    /** Filters an image (1, C, H, W); the caller has checked that the kernel fits the padded image. */
    static Result apply(Tensor image, Kernels.Kernel k, boolean perChannel, int stride, int padding) {
        int c = image.dim(1);
        Conv2d conv = conv(k, c, perChannel, stride, padding);
        Tensor y = conv.forward(image, Mode.EVAL); // y is (1, groups*parts, OH, OW)
        if (k.magnitude()) y = magnitude(y);
        return new Result(y, perChannel ? 1 : c);
    }

    // y is (1, 2G, OH, OW) with (gx, gy) pairs; returns (1, G, OH, OW) of sqrt(gx^2 + gy^2)
    private static Tensor magnitude(Tensor y) {
        int g = y.dim(1) / 2, plane = y.dim(2) * y.dim(3);
        Tensor m = Tensor.zeros(1, g, y.dim(2), y.dim(3));
        float[] s = y.data(), d = m.data();
        for (int c = 0; c < g; c++) {
            for (int i = 0; i < plane; i++) {
                float gx = s[(2 * c) * plane + i], gy = s[(2 * c + 1) * plane + i];
                d[c * plane + i] = (float) Math.sqrt((double) gx * gx + (double) gy * gy);
            }
        }
        return m;
    }

    /** The 8-bit values (C*OH*OW, CHW order) of a result under a scale rule (class comment). */
    static int[] to8Bit(Result r, Scale scale) {
        float[] v = r.values().toArray();
        int[] out = new int[v.length];
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (float f : v) {
            min = Math.min(min, f);
            max = Math.max(max, f);
        }
        double absScale = scale == Scale.ABS ? absScale(v) : 0;
        for (int i = 0; i < v.length; i++) {
            double p;
            switch (scale) {
                case ABS:
                    p = absScale == 0 ? 0 : 255 * Math.sqrt(Math.min(1, Math.abs(v[i]) / absScale));
                    break;
                case MINMAX:
                    p = max == min ? 0 : 255 * (v[i] - min) / (max - min);
                    break;
                default:
                    p = 255.0 * v[i] / r.channelsSummed();
                    break;
            }
            out[i] = (int) Math.round(Math.max(0, Math.min(255, p)));
        }
        return out;
    }

    /** The {@link #ABS_PERCENTILE}th percentile of |v| (nearest rank), or max|v| when that is 0. */
    static double absScale(float[] v) {
        if (v.length == 0) return 0;
        float[] a = new float[v.length];
        for (int i = 0; i < v.length; i++) a[i] = Math.abs(v[i]);
        java.util.Arrays.sort(a);
        double p = a[(int) Math.ceil(ABS_PERCENTILE / 100 * a.length) - 1];
        return p > 0 ? p : a[a.length - 1];
    }

    /** A gray (1 channel) or RGB (3 channels) image of 8-bit values in CHW order. */
    static BufferedImage image(int[] px, int channels, int h, int w) {
        int plane = h * w;
        if (channels == 1) {
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            img.getRaster().setPixels(0, 0, w, h, px);
            return img;
        }
        if (channels != 3) throw new IllegalArgumentException("ImageFilter: expected 1 or 3 channels, got " + channels);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                img.setRGB(x, y, px[i] << 16 | px[plane + i] << 8 | px[2 * plane + i]);
            }
        }
        return img;
    }
}
