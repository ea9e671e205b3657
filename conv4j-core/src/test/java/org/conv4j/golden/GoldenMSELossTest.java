package org.conv4j.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.stream.Stream;
import org.conv4j.nn.MSELoss;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** MSELoss (mean over every element) against PyTorch: the loss and d(loss)/dx, for (N, K) and NCHW. */
class GoldenMSELossTest {

    @TestFactory
    Stream<DynamicTest> mseMatchesPyTorch() {
        return Fixture.family("mse_loss").stream().map(f -> dynamicTest(f.name(), () -> {
            assertEquals("mean", f.get("reduction"), f.toString());
            Golden.checkLoss(f, new MSELoss());
        }));
    }
}
