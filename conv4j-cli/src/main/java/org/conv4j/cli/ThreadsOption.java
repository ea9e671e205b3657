package org.conv4j.cli;

import org.conv4j.kernel.Parallel;
import picocli.CommandLine.Option;

/** {@code --threads N}, shared by every command that runs the kernels. */
final class ThreadsOption {
    static final String DESCRIPTION = "Threads for the kernels (default: the number of cores; at most 4 per core, at least 64).";

    @Option(names = "--threads", paramLabel = "N", description = DESCRIPTION)
    Integer threads;

    /** Checks the value and sets the kernels' thread count; Main restores it after the command. */
    void apply() {
        if (threads == null) return;
        check(threads);
        Parallel.setThreads(threads);
    }

    /** One line for a count out of range, before any thread is started. */
    static void check(int threads) {
        if (threads < 1) throw new Main.UsageError("--threads must be >= 1, got " + threads);
        if (threads > Parallel.maxThreads()) {
            throw new Main.UsageError("--threads " + threads + " is over the maximum of " + Parallel.maxThreads()
                    + " (4 per core, at least 64; this machine has " + Runtime.getRuntime().availableProcessors() + " cores)");
        }
    }
}
