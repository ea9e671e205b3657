package org.conv4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.conv4j.data.DataLoader;
import org.conv4j.data.JointMasks;
import org.conv4j.data.Mnist;
import org.conv4j.data.MnistSegmentation;
import org.conv4j.data.RandomCrop;
import org.conv4j.data.SegmentationDataset;
import org.conv4j.data.Split;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.SoftmaxCrossEntropy;
import org.conv4j.optim.Adam;
import org.conv4j.zoo.UNet;
import org.junit.jupiter.api.Test;

/**
 * A short training of a small U-Net on MNIST canvases through the Trainer: per-pixel
 * cross-entropy with the ignore index, masks that follow the random crops, mean IoU and pixel
 * accuracy measured on held-out canvases, and well above what chance or "all background" gives.
 */
class SegmentationTrainingTest {

    @Test
    void aSmallUNetLearnsToSegmentDigits() throws Exception {
        SegmentationDataset train = MnistSegmentation.generate(Mnist.load(Path.of("data/mnist-sample"), Split.TRAIN), 600, 32, 1);
        SegmentationDataset test = MnistSegmentation.generate(Mnist.load(Path.of("data/mnist-sample"), Split.TEST), 100, 32, 2);
        Init.seed(1);
        Layer net = UNet.build(1, 32, 32, 11, 2, 8);
        DataLoader trainLoader = new DataLoader(train, 32).shuffle(true).seed(3).transforms(new RandomCrop(32, 2));
        DataLoader testLoader = new DataLoader(test, 100);
        int ignore = SegmentationDataset.DEFAULT_IGNORE;
        long t0 = System.nanoTime();
        List<EpochResult> h = new Trainer(net, new Adam(net, 0.01)).epochs(4)
                .loss(new SoftmaxCrossEntropy().ignoreIndex(ignore)).targets(new JointMasks(trainLoader)).validationTargets(new JointMasks(testLoader))
                .metrics(new MeanIoU(ignore), new PixelAccuracy(ignore)).validationMetrics()
                .fit(trainLoader, testLoader);
        System.out.printf("%.1f s: %s%n", (System.nanoTime() - t0) / 1e9, h);
        SegmentationEvaluation ev = Evaluator.evaluateSegmentation(net, testLoader, new JointMasks(testLoader), ignore);
        assertEquals(h.get(3).figure("val_mean_iou"), ev.meanIoU(), 1e-12, "the Evaluator measures what the Trainer's validation did");
        assertEquals(h.get(3).figure("val_pixel_accuracy"), ev.pixelAccuracy(), 1e-12);
        assertTrue(h.get(3).trainLoss() < 0.5 * h.get(0).trainLoss(), "the loss falls: " + h);
        // all background gives a mean IoU of about 1/11 (background IoU ~0.9, every digit class 0)
        assertTrue(ev.meanIoU() > 0.35, "mean IoU well above chance: " + ev.meanIoU());
        assertTrue(ev.perClassIoU()[0] > 0.9, "background IoU " + ev.perClassIoU()[0]);
        assertTrue(ev.pixelAccuracy() > 0.9, "pixel accuracy " + ev.pixelAccuracy());
    }
}
