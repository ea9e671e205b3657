package org.conv4j.data;

import java.io.IOException;
import java.nio.file.Path;
import org.conv4j.tensor.Tensor;

/** Single images in and out: PNG or JPEG decoded to a (1, C, H, W) tensor with values in [0, 1]. */
public final class Images {
    private Images() {
    }

    /**
     * Reads a PNG or JPEG as (1, channels, H, W) in [0, 1]; channels 1 converts colour to gray
     * (BT.601), 3 repeats a gray image. Unreadable or oversized files throw {@link DatasetFormatException}.
     */
    public static Tensor read(Path file, int channels) throws IOException {
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("Images: channels must be 1 or 3, got " + channels);
        ImageFolderDataset.Decoded d = ImageFolderDataset.decode(file, channels);
        float[] px = d.pixels();
        for (int i = 0; i < px.length; i++) px[i] /= 255f;
        return Tensor.of(px, 1, channels, d.h(), d.w());
    }

    /** Bilinear resize of a (1, C, H, W) image to (1, C, height, width), as PyTorch's align_corners=False. */
    public static Tensor resize(Tensor image, int height, int width) {
        if (image.rank() != 4 || image.dim(0) != 1) throw new IllegalArgumentException("Images: expected (1, C, H, W), got " + image.shape());
        int c = image.dim(1), h = image.dim(2), w = image.dim(3);
        if (h == height && w == width) return image.copy();
        Tensor out = Tensor.zeros(1, c, height, width);
        ImageFolderDataset.resizeBilinear(image.toArray(), c, h, w, out.data(), 0, height, width);
        return out;
    }
}
