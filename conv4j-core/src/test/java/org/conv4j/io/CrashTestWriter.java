package org.conv4j.io;

import java.nio.file.Path;
import org.conv4j.nn.Layer;

/**
 * The child process of {@link ModelFileCrashTest}: saves two different models alternately to
 * one path, forever, until it is killed. Prints "ready" once both models are built.
 */
final class CrashTestWriter {
    private CrashTestWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        Layer[] models = {ModelFileCrashTest.modelA(), ModelFileCrashTest.modelB()};
        System.out.println("ready");
        System.out.flush();
        for (long i = 0; ; i++) ModelFile.save(models[(int) (i % 2)], file);
    }
}
