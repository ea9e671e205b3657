package org.conv4j.nn;

/** Whether a forward pass is for training or evaluation, passed explicitly on every call. */
public enum Mode {
    /** Batch statistics, dropout active, and the layer keeps what its backward needs. */
    TRAIN,
    /** Running statistics, dropout off; nothing is stored, so one model may serve many threads. */
    EVAL
}
