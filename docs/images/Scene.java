import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * Draws docs/images/scene.png, the photo-like picture the filter screenshots start from (no
 * external image ships with conv4j): sky, sun, clouds, hills, a house, a tree, a fence and
 * grass, with mild noise as a camera would add. Run: java docs/images/Scene.java docs/images/scene.png
 */
public class Scene {
    public static void main(String[] args) throws Exception {
        int w = 320, h = 240;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(0, 0, new Color(70, 130, 210), 0, 150, new Color(190, 220, 245)));
        g.fillRect(0, 0, w, h);
        g.setColor(new Color(255, 215, 80));
        g.fill(new Ellipse2D.Double(238, 22, 44, 44));
        g.setColor(new Color(250, 250, 252));
        for (double[] c : new double[][] {{30, 30, 60, 22}, {60, 22, 50, 26}, {150, 48, 70, 20}, {185, 40, 40, 24}}) g.fill(new Ellipse2D.Double(c[0], c[1], c[2], c[3]));
        Path2D hills = new Path2D.Double();
        hills.moveTo(0, 150);
        hills.curveTo(80, 110, 160, 170, 220, 135);
        hills.curveTo(260, 115, 300, 125, 320, 140);
        hills.lineTo(320, 240);
        hills.lineTo(0, 240);
        hills.closePath();
        g.setPaint(new GradientPaint(0, 120, new Color(110, 170, 80), 0, 240, new Color(40, 110, 40)));
        g.fill(hills);
        // the house: wall, roof, door, two windows with crossbars
        g.setColor(new Color(200, 90, 60));
        g.fillRect(60, 130, 100, 70);
        g.setColor(new Color(120, 50, 40));
        g.fill(new Polygon(new int[] {50, 110, 170}, new int[] {132, 88, 132}, 3));
        g.setColor(new Color(90, 60, 40));
        g.fillRect(98, 160, 24, 40);
        g.setColor(new Color(230, 240, 250));
        g.fillRect(70, 145, 20, 18);
        g.fillRect(130, 145, 20, 18);
        g.setColor(new Color(60, 40, 30));
        g.setStroke(new BasicStroke(2));
        for (int x : new int[] {70, 130}) {
            g.drawRect(x, 145, 20, 18);
            g.drawLine(x + 10, 145, x + 10, 163);
            g.drawLine(x, 154, x + 20, 154);
        }
        // the tree
        g.setColor(new Color(100, 70, 40));
        g.fillRect(236, 140, 12, 50);
        g.setColor(new Color(50, 130, 50));
        g.fill(new Ellipse2D.Double(210, 90, 64, 60));
        g.fill(new Ellipse2D.Double(200, 110, 40, 36));
        g.fill(new Ellipse2D.Double(246, 108, 40, 38));
        // the fence
        g.setColor(new Color(235, 225, 200));
        for (int x = 176; x < 320; x += 12) g.fillRect(x, 186, 6, 26);
        g.fillRect(170, 192, 150, 4);
        g.fillRect(170, 204, 150, 4);
        g.setColor(new Color(255, 255, 255));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 22));
        g.drawString("conv4j", 14, 232);
        g.dispose();
        // grass texture and sensor-like noise
        SplittableRandom rng = new SplittableRandom(7);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y), n = rng.nextInt(-3, 4);
                int r = rgb >> 16 & 255, gr = rgb >> 8 & 255, b = rgb & 255;
                if (gr > r + 30 && gr > b + 30 && y > 120 && rng.nextInt(12) == 0) n -= 14;
                img.setRGB(x, y, clamp(r + n) << 16 | clamp(gr + n) << 8 | clamp(b + n));
            }
        }
        ImageIO.write(img, "png", new File(args[0]));
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
