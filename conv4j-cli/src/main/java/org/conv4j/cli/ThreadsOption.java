package org.conv4j.cli;

import org.conv4j.kernel.Parallel;
import picocli.CommandLine.Option;

/** {@code --threads N}, shared by every command that runs the kernels. */
final class ThreadsOption {
    static final String DESCRIPTION = "Threads for the kernels (default: the number of cores).";

    @Option(names = "--threads", paramLabel = "N", description = DESCRIPTION)
    Integer threads;

    /** Checks the value and sets the kernels' thread count; Main restores it after the command. */
    void apply() {
        if (threads == null) return;
        if (threads < 1) throw new Main.UsageError("--threads must be >= 1, got " + threads);
        Parallel.setThreads(threads);
    }
}
