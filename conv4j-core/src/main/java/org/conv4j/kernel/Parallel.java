package org.conv4j.kernel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The one thread pool every kernel uses. Work is split into tasks whose boundaries never
 * depend on the thread count, and reductions combine task results in a fixed order, so the
 * numbers are the same for 1 and N threads.
 *
 * <p>The thread count defaults to the number of cores and can be set with
 * {@link #setThreads(int)} or the system property {@code conv4j.threads}. The common
 * ForkJoinPool is not used: on a 2-core machine it has a single worker.
 */
public final class Parallel {
    private static volatile int threads = initialThreads();
    private static volatile ForkJoinPool pool = newPool(threads);

    private Parallel() {
    }

    private static int initialThreads() {
        String p = System.getProperty("conv4j.threads");
        if (p != null) {
            try {
                int n = Integer.parseInt(p.trim());
                if (n >= 1) return n;
            } catch (NumberFormatException ignored) {
                // fall through to the default
            }
            throw new IllegalArgumentException("conv4j.threads must be a positive integer, got '" + p + "'");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static ForkJoinPool newPool(int n) {
        return n > 1 ? new ForkJoinPool(n) : null;
    }

    public static int threads() {
        return threads;
    }

    /** Sets the number of threads every kernel may use (1 = run on the caller's thread). */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + n);
        if (n == threads) return;
        ForkJoinPool old = pool;
        pool = newPool(n);
        threads = n;
        if (old != null) old.shutdown();
    }

    /** Runs {@code body.accept(t)} for every t in [0, tasks), in parallel when it pays. */
    public static void forEach(int tasks, IntConsumer body) {
        ForkJoinPool p = pool;
        if (tasks <= 1 || p == null) {
            for (int t = 0; t < tasks; t++) body.accept(t);
            return;
        }
        if (java.util.concurrent.ForkJoinTask.getPool() == p) {
            // already inside a kernel task: run nested work inline
            for (int t = 0; t < tasks; t++) body.accept(t);
            return;
        }
        p.invoke(new Range(body, 0, tasks));
    }

    private static final class Range extends RecursiveAction {
        private final IntConsumer body;
        private final int from, to;

        Range(IntConsumer body, int from, int to) {
            this.body = body;
            this.from = from;
            this.to = to;
        }

        @Override
        protected void compute() {
            if (to - from == 1) {
                body.accept(from);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Range(body, from, mid), new Range(body, mid, to));
        }
    }
}
