package org.conv4j.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.stream.Stream;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Softmax;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** ReLU (including inputs exactly 0, whose gradient PyTorch sets to 0) and Softmax over dim 1. */
class GoldenActivationsTest {

    @TestFactory
    Stream<DynamicTest> reluMatchesPyTorch() {
        return Fixture.family("relu").stream().map(f -> dynamicTest(f.name(), () -> Golden.checkLayer(f, new ReLU())));
    }

    @TestFactory
    Stream<DynamicTest> softmaxMatchesPyTorch() {
        return Fixture.family("softmax").stream().map(f -> dynamicTest(f.name(), () -> {
            assertEquals("1", f.get("dim"), f + ": conv4j's Softmax is over dim 1 of (N, K)");
            Golden.checkLayer(f, new Softmax());
        }));
    }
}
