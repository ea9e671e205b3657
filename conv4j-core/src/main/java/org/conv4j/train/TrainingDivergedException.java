package org.conv4j.train;

/** Thrown when a loss, gradient or parameter becomes NaN or infinite; the message names where. */
public final class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
