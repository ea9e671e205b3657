package org.conv4j.nn;

import org.conv4j.tensor.Tensor;

/** A scalar loss over a batch: forward gives the mean loss, backward dL/doutput for that call. */
public interface Loss {
    float forward(Tensor output, Tensor target);

    /** The gradient of the last forward's loss with respect to its output. */
    Tensor backward();
}
