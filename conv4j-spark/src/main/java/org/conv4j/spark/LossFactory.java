package org.conv4j.spark;

import java.io.Serializable;
import org.conv4j.nn.Loss;

/** Makes the loss on the executors, which get this through Spark (a Loss keeps its forward's state, so each task needs its own). */
@FunctionalInterface
public interface LossFactory extends Serializable {
    Loss create();
}
