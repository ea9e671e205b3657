package org.conv4j.zoo;

import org.conv4j.nn.Init;
import org.junit.jupiter.api.Test;

/** The eight ImageNet VGGs run forward and backward at their minimum input, 32x32, batch 1. */
class ZooVggTrainingTest {

    @Test
    void everyVggRunsForwardAndBackwardAtItsMinimumInput() {
        for (String name : Zoo.names()) {
            if (!name.matches("vgg\\d+(_bn)?")) continue;
            Init.seed(13);
            int size = Zoo.minimumSize(name);
            // batch 1 is enough for the BN variants: the last BatchNorms see 2x2 maps (4 values per channel)
            ZooTrainingTest.forwardBackward(name, Zoo.build(name, 3, size, size, 5), 1, 3, size, 5);
        }
    }
}
