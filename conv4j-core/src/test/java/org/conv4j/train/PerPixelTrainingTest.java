package org.conv4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.conv4j.data.ArrayDataset;
import org.conv4j.data.Batch;
import org.conv4j.data.DataLoader;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Loss;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.optim.Adam;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-pixel classification plugs into the public Trainer API without copying the loop: a
 * fully convolutional model gives (N, 2, H, W) scores, a target function gives each batch's
 * (N, H, W) masks, and a user-written loss and metric (here a per-pixel cross-entropy and the
 * mean IoU of segmentation) train and measure it.
 */
class PerPixelTrainingTest {
    private static final int SIZE = 6;

    @TempDir
    Path dir;

    /** Images of noise with a bright square somewhere; the mask marks the square's pixels (class 1). */
    private static final class Squares {
        final ArrayDataset images;
        final float[][] masks;

        Squares(int n, long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            float[] data = new float[n * SIZE * SIZE];
            masks = new float[n][SIZE * SIZE];
            for (int i = 0; i < n; i++) {
                int r = rng.nextInt(SIZE - 2), c = rng.nextInt(SIZE - 2), side = 2 + rng.nextInt(2);
                for (int p = 0; p < SIZE * SIZE; p++) {
                    int y = p / SIZE, x = p % SIZE;
                    boolean in = y >= r && y < r + side && x >= c && x < c + side;
                    masks[i][p] = in ? 1 : 0;
                    data[i * SIZE * SIZE + p] = (float) ((in ? 1.0 : 0.0) + 0.3 * rng.nextDouble());
                }
            }
            images = new ArrayDataset(data, new int[n], Shape.of(1, SIZE, SIZE), 2);
        }

        /** The target function: the masks of the batch's samples, (N, H, W). */
        Tensor masks(Batch b) {
            float[] t = new float[b.size() * SIZE * SIZE];
            for (int i = 0; i < b.size(); i++) System.arraycopy(masks[b.indices()[i]], 0, t, i * SIZE * SIZE, SIZE * SIZE);
            return Tensor.of(t, b.size(), SIZE, SIZE);
        }
    }

    /** The user's loss: two-class cross-entropy per pixel, log(1 + exp(s_other - s_true)), mean over pixels. */
    private static final class PixelLogLoss implements Loss {
        private Tensor scores, target;

        @Override
        public float forward(Tensor output, Tensor target) {
            this.scores = output;
            this.target = target;
            int n = output.dim(0), hw = output.dim(2) * output.dim(3);
            double sum = 0;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < hw; p++) {
                    int truth = (int) target.at(i * hw + p);
                    double margin = output.at((i * 2 + 1 - truth) * hw + p) - output.at((i * 2 + truth) * hw + p);
                    sum += Math.log1p(Math.exp(margin));
                }
            }
            return (float) (sum / (n * hw));
        }

        @Override
        public Tensor backward() {
            int n = scores.dim(0), hw = scores.dim(2) * scores.dim(3);
            Tensor d = Tensor.zeros(scores.shape());
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < hw; p++) {
                    int truth = (int) target.at(i * hw + p);
                    double margin = scores.at((i * 2 + 1 - truth) * hw + p) - scores.at((i * 2 + truth) * hw + p);
                    float g = (float) (1 / (1 + Math.exp(-margin)) / (n * hw));
                    d.data()[(i * 2 + 1 - truth) * hw + p] = g;
                    d.data()[(i * 2 + truth) * hw + p] = -g;
                }
            }
            return d;
        }
    }

    /** The user's metric: mean over the two classes of intersection / union of predicted and true pixels. */
    private static final class MeanIoU implements Metric {
        private final long[] intersection = new long[2], union = new long[2];

        @Override
        public String name() {
            return "iou";
        }

        @Override
        public void reset() {
            java.util.Arrays.fill(intersection, 0);
            java.util.Arrays.fill(union, 0);
        }

        @Override
        public void add(Tensor output, Tensor target) {
            int n = output.dim(0), hw = output.dim(2) * output.dim(3);
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < hw; p++) {
                    int predicted = output.at((i * 2 + 1) * hw + p) > output.at(i * 2 * hw + p) ? 1 : 0, truth = (int) target.at(i * hw + p);
                    for (int c = 0; c < 2; c++) {
                        if (predicted == c && truth == c) intersection[c]++;
                        if (predicted == c || truth == c) union[c]++;
                    }
                }
            }
        }

        @Override
        public double value() {
            return union[0] + union[1] == 0 ? Double.NaN : ((double) intersection[0] / union[0] + (double) intersection[1] / union[1]) / 2;
        }
    }

    private static Layer net() {
        Init.seed(3);
        return new Sequential(new Conv2d(1, 4, 3).padding(1), new ReLU(), new Conv2d(4, 2, 1));
    }

    @Test
    void aUserLossAndMetricTrainAPerPixelModelThroughTheTrainer() throws Exception {
        Squares train = new Squares(128, 1), val = new Squares(64, 2);
        Layer net = net();
        Trainer t = new Trainer(net, new Adam(net, 0.05)).epochs(6).seed(1)
                .loss(new PixelLogLoss()).targets(train::masks).validationTargets(val::masks)
                .metrics(new MeanIoU()).validationMetrics().metricsLog(dir.resolve("m.csv"));
        List<EpochResult> h = t.fit(new DataLoader(train.images, 16).shuffle(true).seed(2), new DataLoader(val.images, 64));
        assertEquals(6, h.size());
        assertTrue(h.get(5).trainLoss() < 0.5 * h.get(0).trainLoss(), "the loss falls: " + h);
        assertTrue(h.get(5).valLoss() < h.get(0).valLoss(), "the held-out loss falls: " + h);
        assertTrue(h.get(0).figure("train_iou") < h.get(5).figure("train_iou"), h.toString());
        assertTrue(h.get(5).figure("val_iou") > 0.8, "held-out mean IoU: " + h.get(5));
        assertEquals(List.of("train_loss", "train_iou", "val_loss", "val_iou"), List.copyOf(h.get(0).figures().keySet()));
        List<String> csv = Files.readAllLines(dir.resolve("m.csv"));
        assertEquals("epoch,lr,train_loss,train_iou,val_loss,val_iou,seconds,images_per_second", csv.get(0));
        assertEquals(7, csv.size());
    }

    @Test
    void theBuiltInLossAndMetricsWorkPerPixelToo() throws Exception {
        Squares train = new Squares(128, 3);
        Layer net = net();
        List<EpochResult> h = new Trainer(net, new Adam(net, 0.05)).epochs(5).targets(train::masks).metrics(new Accuracy())
                .validationMetrics(new TopKAccuracy(1)).fit(new DataLoader(train.images, 16).shuffle(true).seed(4), new DataLoader(train.images, 64));
        assertTrue(h.get(4).trainLoss() < 0.5 * h.get(0).trainLoss(), "the loss falls: " + h);
        assertTrue(h.get(4).valAccuracy() > 0.9, "pixel accuracy " + h.get(4));
        assertEquals(h.get(4).valAccuracy(), h.get(4).figure("val_top1"), "top-1 is the accuracy");
    }
}
