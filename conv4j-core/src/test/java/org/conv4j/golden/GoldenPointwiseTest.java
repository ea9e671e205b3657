package org.conv4j.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.stream.Stream;
import org.conv4j.nn.Dropout;
import org.conv4j.nn.LeakyReLU;
import org.conv4j.nn.Sigmoid;
import org.conv4j.nn.Tanh;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * LeakyReLU (inputs exactly 0 included: PyTorch gives them slope * dy), Sigmoid and Tanh over
 * wide input ranges, and Dropout in EVAL mode, which is the identity (upscale_in_train).
 */
class GoldenPointwiseTest {

    @TestFactory
    Stream<DynamicTest> leakyReluMatchesPyTorch() {
        return Fixture.family("leaky_relu").stream().map(f -> dynamicTest(f.name(),
                () -> Golden.checkLayer(f, new LeakyReLU(f.number("negative_slope")))));
    }

    @TestFactory
    Stream<DynamicTest> sigmoidMatchesPyTorch() {
        return Fixture.family("sigmoid").stream().map(f -> dynamicTest(f.name(), () -> Golden.checkLayer(f, new Sigmoid())));
    }

    @TestFactory
    Stream<DynamicTest> tanhMatchesPyTorch() {
        return Fixture.family("tanh").stream().map(f -> dynamicTest(f.name(), () -> Golden.checkLayer(f, new Tanh())));
    }

    @TestFactory
    Stream<DynamicTest> dropoutInEvalModeMatchesPyTorch() {
        return Fixture.family("dropout").stream().map(f -> dynamicTest(f.name(), () -> {
            assertEquals("eval", f.get("mode"), f.toString());
            Golden.checkLayer(f, new Dropout(f.number("p")));
        }));
    }
}
