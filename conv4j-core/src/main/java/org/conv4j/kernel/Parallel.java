package org.conv4j.kernel;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The one thread pool every kernel uses. Work is split into tasks whose boundaries never
 * depend on the thread count, and reductions combine task results in a fixed order, so the
 * numbers are the same for 1 and N threads.
 *
 * <p>The thread count defaults to the number of cores and can be set with
 * {@link #setThreads(int)} or the system property {@code conv4j.threads}. The pool is our own:
 * the common ForkJoinPool has a single worker on a 2-core machine, and a ForkJoinPool wakes its
 * parked workers for every call, which costs more than many kernels (an element-wise pass over
 * a small batch takes a few microseconds). Here the caller runs tasks too, and up to cores - 1
 * workers spin for a short while after each job before they park, so the next kernel of a
 * training step finds them awake. Workers beyond the cores park at once and stay parked until
 * the next job (an idle one costs nothing), and a caller waiting on more threads than cores
 * yields its core instead of spinning, so a worker that the scheduler preempted mid-task gets it.
 * The count is at most {@link #maxThreads()}: more threads than that only queue for the cores.
 */
public final class Parallel {
    /**
     * How long an idle worker keeps polling for the next job before it parks. With 200 us, a
     * third of LeNet-5 training processes ran at 14,000 images/s instead of 18,000-22,000 on 2
     * threads (a serial stretch of a step outlasted the spin, and waking a parked thread is slow
     * here); with 1 ms none of nine did, and ResNet-20 and batch-1 inference stayed the same.
     */
    private static final long SPIN_NANOS = 1_000_000;

    private static final int CORES = Runtime.getRuntime().availableProcessors();
    private static volatile int threads = initialThreads();
    private static volatile Pool pool = Pool.create(threads);
    private static final ThreadLocal<boolean[]> INSIDE = ThreadLocal.withInitial(() -> new boolean[1]);
    // 0 on every thread but the pool's workers, which hold 1..threads-1
    private static final ThreadLocal<int[]> WORKER = ThreadLocal.withInitial(() -> new int[1]);

    private Parallel() {
    }

    private static int initialThreads() {
        String p = System.getProperty("conv4j.threads");
        if (p != null) {
            try {
                int n = Integer.parseInt(p.trim());
                if (n >= 1 && n <= maxThreads()) return n;
            } catch (NumberFormatException ignored) {
                // fall through to the error
            }
            throw new IllegalArgumentException("conv4j.threads must be an integer from 1 to " + maxThreads() + ", got '" + p + "'");
        }
        return CORES;
    }

    /** The largest thread count accepted: 4 per core, and at least 64. */
    public static int maxThreads() {
        return Math.max(64, 4 * CORES);
    }

    public static int threads() {
        return threads;
    }

    /** Sets the number of threads every kernel may use (1 = run on the caller's thread). */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + n);
        if (n > maxThreads()) {
            throw new IllegalArgumentException("thread count " + n + " is over the maximum of " + maxThreads() + " (4 per core, at least 64; this machine has " + CORES + " cores)");
        }
        if (n == threads) return;
        Pool old = pool;
        pool = Pool.create(n);
        threads = n;
        if (old != null) old.shutdown();
    }

    /**
     * Runs {@code body.accept(t)} for every t in [0, tasks), spread over the pool. Nested calls
     * (from inside a task) and calls made while another thread's job holds the pool run inline.
     * The first exception a task throws is rethrown here once every task has finished.
     */
    public static void forEach(int tasks, IntConsumer body) {
        Pool p = pool;
        boolean[] inside = INSIDE.get();
        if (tasks <= 1 || p == null || inside[0] || !p.busy.compareAndSet(false, true)) {
            for (int t = 0; t < tasks; t++) body.accept(t);
            return;
        }
        inside[0] = true;
        try {
            p.run(tasks, body);
        } finally {
            inside[0] = false;
            p.busy.set(false);
        }
    }

    /** Whether the calling thread is running a task of {@link #forEach} (a nested call runs inline). */
    public static boolean insideTask() {
        return INSIDE.get()[0];
    }

    /**
     * The calling thread's place in the pool: 1 to threads - 1 for the workers, 0 for any other
     * thread (the caller of {@link #forEach} runs tasks as 0), so state kept per thread of one job
     * can live in a small array.
     */
    public static int workerIndex() {
        return WORKER.get()[0];
    }

    /** One call's tasks, with its own counters: a worker that arrives late can only claim from the job it read. */
    private static final class Job {
        final IntConsumer body;
        final int tasks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Job(IntConsumer body, int tasks) {
            this.body = body;
            this.tasks = tasks;
        }

        void runTasks() {
            for (int t; (t = next.getAndIncrement()) < tasks; ) {
                try {
                    body.accept(t);
                } catch (Throwable e) {
                    if (failure == null) failure = e;
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    /** N - 1 workers and one job slot; the caller of {@link #run} works on its own job too. */
    private static final class Pool {
        final AtomicBoolean busy = new AtomicBoolean();
        private final Thread[] workers;
        private final boolean oversubscribed;   // more threads than cores: waiting yields the core
        private volatile boolean stopped;
        private volatile Job current;

        private Pool(int n) {
            workers = new Thread[n - 1];
            oversubscribed = n > CORES;
            for (int i = 0; i < workers.length; i++) {
                // the first cores - 1 workers spin between jobs; the others would only take cores from them
                boolean spins = i < CORES - 1;
                int index = i + 1;
                Thread w = new Thread(() -> {
                    WORKER.get()[0] = index;
                    work(spins);
                }, "conv4j-kernel-" + index);
                w.setDaemon(true);
                workers[i] = w;
            }
        }

        static Pool create(int n) {
            if (n <= 1) return null;
            Pool p = new Pool(n);
            for (Thread w : p.workers) w.start();
            return p;
        }

        void run(int tasks, IntConsumer body) {
            Job job = new Job(body, tasks);
            current = job;
            for (Thread w : workers) LockSupport.unpark(w);
            job.runTasks();
            while (job.done.get() < tasks) {
                if (oversubscribed) Thread.yield();
                else Thread.onSpinWait();
            }
            Throwable f = job.failure;
            if (f instanceof RuntimeException e) throw e;
            if (f instanceof Error e) throw e;
            if (f != null) throw new IllegalStateException(f);
        }

        private void work(boolean spins) {
            INSIDE.get()[0] = true;
            Job seen = null;
            while (!stopped) {
                long idleSince = System.nanoTime();
                Job job;
                while ((job = current) == seen && !stopped) {
                    if (spins && System.nanoTime() - idleSince < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        // no timeout: run() unparks every worker after publishing its job (a permit
                        // given before this park makes it return at once), and shutdown() does too
                        LockSupport.park(this);
                    }
                }
                if (stopped) return;
                seen = job;
                job.runTasks();
            }
        }

        void shutdown() {
            stopped = true;
            for (Thread w : workers) LockSupport.unpark(w);
        }
    }
}
