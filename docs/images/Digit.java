import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.File;
import java.io.FileInputStream;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

/**
 * Writes one image of a gzip'd IDX image file as a gray PNG: light on dark as MNIST stores it, or
 * with "paper" dark on white as a digit written on paper, enlarged ZOOM times (nearest neighbour).
 * Run: java docs/images/Digit.java IDX_GZ INDEX OUT.png [paper] [ZOOM]
 */
public class Digit {
    public static void main(String[] args) throws Exception {
        int index = Integer.parseInt(args[1]), zoom = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        boolean paper = args.length > 3 && args[3].equals("paper");
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(new FileInputStream(args[0])))) {
            in.readInt(); // magic
            int n = in.readInt(), h = in.readInt(), w = in.readInt();
            if (index < 0 || index >= n) throw new IllegalArgumentException("index " + index + " out of 0.." + (n - 1));
            in.skipNBytes((long) index * h * w);
            byte[] px = in.readNBytes(h * w);
            BufferedImage img = new BufferedImage(w * zoom, h * zoom, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < h * zoom; y++) {
                for (int x = 0; x < w * zoom; x++) {
                    int v = px[(y / zoom) * w + x / zoom] & 255;
                    img.getRaster().setSample(x, y, 0, paper ? 255 - v : v);
                }
            }
            ImageIO.write(img, "png", new File(args[2]));
        }
    }
}
