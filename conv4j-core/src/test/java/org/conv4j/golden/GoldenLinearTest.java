package org.conv4j.golden;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.stream.Stream;
import org.conv4j.nn.Linear;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Linear against PyTorch's nn.Linear, on (N, in) inputs and on NCHW inputs it flattens. */
class GoldenLinearTest {

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() {
        return Fixture.family("linear").stream().map(f -> dynamicTest(f.name(), () -> Golden.checkLayer(f,
                new Linear(f.integer("in_features"), f.integer("out_features"), f.bool("bias")))));
    }
}
