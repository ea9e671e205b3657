package org.conv4j.golden;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.stream.Stream;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Softmax;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * ReLU (including inputs exactly 0, whose gradient PyTorch sets to 0) and Softmax over the dim
 * PyTorch was given: dim 1 of (N, K), the channels of NCHW, and dims counted from the end.
 */
class GoldenActivationsTest {

    @TestFactory
    Stream<DynamicTest> reluMatchesPyTorch() {
        return Fixture.family("relu").stream().map(f -> dynamicTest(f.name(), () -> Golden.checkLayer(f, new ReLU())));
    }

    @TestFactory
    Stream<DynamicTest> softmaxMatchesPyTorch() {
        return Fixture.family("softmax").stream().map(f -> dynamicTest(f.name(), () -> {
            Golden.checkLayer(f, new Softmax(Integer.parseInt(f.get("dim"))));
        }));
    }
}
