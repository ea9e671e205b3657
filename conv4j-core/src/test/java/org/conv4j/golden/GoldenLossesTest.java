package org.conv4j.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.stream.Stream;
import org.conv4j.nn.SoftmaxCrossEntropy;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * SoftmaxCrossEntropy against PyTorch's CrossEntropyLoss (mean): class-index targets of shape
 * (N), probability rows and one-hot rows of shape (N, K), and per pixel (logits (N, K, H, W),
 * targets (N, H, W) or probabilities (N, K, H, W)); the loss and d(loss)/dlogits.
 */
class GoldenLossesTest {

    @TestFactory
    Stream<DynamicTest> crossEntropyMatchesPyTorch() {
        return Fixture.family("cross_entropy").stream().map(f -> dynamicTest(f.name(), () -> {
            assertEquals("mean", f.get("reduction"), f.toString());
            Golden.checkLoss(f, new SoftmaxCrossEntropy());
        }));
    }

    /** PyTorch's CrossEntropyLoss(weight, ignore_index): the weighted mean over the targets that are not ignored. */
    @TestFactory
    Stream<DynamicTest> weightedCrossEntropyWithAnIgnoreIndexMatchesPyTorch() {
        return Fixture.family("cross_entropy_weighted").stream().map(f -> dynamicTest(f.name(), () -> {
            assertEquals("mean", f.get("reduction"), f.toString());
            float[] weights = f.tensor("weight").toArray();
            SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy().ignoreIndex(f.integer("ignore_index"));
            if (f.bool("weighted")) loss.weights(weights);
            Golden.checkLoss(f, loss);
        }));
    }
}
