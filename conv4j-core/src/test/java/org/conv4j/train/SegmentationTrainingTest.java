package org.conv4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.conv4j.data.DataLoader;
import org.conv4j.data.Dataset;
import org.conv4j.data.Subset;
import org.conv4j.data.JointMasks;
import org.conv4j.data.Mnist;
import org.conv4j.data.MnistSegmentation;
import org.conv4j.data.RandomCrop;
import org.conv4j.data.SegmentationDataset;
import org.conv4j.data.Split;
import org.conv4j.nn.DiceLoss;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.LossSum;
import org.conv4j.nn.SoftmaxCrossEntropy;
import org.conv4j.optim.Adam;
import org.conv4j.zoo.UNet;
import org.junit.jupiter.api.Test;

/**
 * A short training of a small U-Net on MNIST canvases of the digits 0 and 1 through the Trainer:
 * per-pixel cross-entropy plus Dice with the ignore index, masks that follow the random crops,
 * mean IoU and pixel accuracy measured on held-out canvases, and well above what "all
 * background" gives (a mean IoU of about 0.3 over the three classes present).
 */
class SegmentationTrainingTest {

    @Test
    void aSmallUNetLearnsToSegmentDigits() throws Exception {
        SegmentationDataset train = MnistSegmentation.generate(zerosAndOnes(Split.TRAIN), 400, 32, 1);
        SegmentationDataset test = MnistSegmentation.generate(zerosAndOnes(Split.TEST), 100, 32, 2);
        Init.seed(1);
        Layer net = UNet.build(1, 32, 32, 11, 2, 8);
        DataLoader trainLoader = new DataLoader(train, 32).shuffle(true).seed(3).transforms(new RandomCrop(32, 2));
        DataLoader testLoader = new DataLoader(test, 100);
        int ignore = SegmentationDataset.DEFAULT_IGNORE;
        List<EpochResult> h = new Trainer(net, new Adam(net, 0.01)).epochs(4)
                .loss(new LossSum(new SoftmaxCrossEntropy().ignoreIndex(ignore), new DiceLoss().ignoreIndex(ignore))).targets(new JointMasks(trainLoader)).validationTargets(new JointMasks(testLoader))
                .metrics(new MeanIoU(ignore), new PixelAccuracy(ignore)).validationMetrics()
                .fit(trainLoader, testLoader);
        SegmentationEvaluation ev = Evaluator.evaluateSegmentation(net, testLoader, new JointMasks(testLoader), ignore);
        assertEquals(h.get(3).figure("val_mean_iou"), ev.meanIoU(), 1e-12, "the Evaluator measures what the Trainer's validation did");
        assertEquals(h.get(3).figure("val_pixel_accuracy"), ev.pixelAccuracy(), 1e-12);
        assertTrue(h.get(3).trainLoss() < 0.5 * h.get(0).trainLoss(), "the loss falls: " + h);
        assertTrue(Double.isNaN(ev.perClassIoU()[5]), "digit 4 is on no canvas and never predicted");
        assertTrue(ev.meanIoU() > 0.85, "mean IoU well above all-background: " + ev.meanIoU() + " " + java.util.Arrays.toString(ev.perClassIoU()));
        assertTrue(ev.perClassIoU()[0] > 0.9, "background IoU " + ev.perClassIoU()[0]);
        assertTrue(ev.pixelAccuracy() > 0.9, "pixel accuracy " + ev.pixelAccuracy());
    }

    private static Dataset zerosAndOnes(Split split) throws java.io.IOException {
        Dataset digits = Mnist.load(Path.of("data/mnist-sample"), split);
        return new Subset(digits, java.util.stream.IntStream.range(0, digits.size()).filter(i -> digits.label(i) < 2).toArray());
    }
}
