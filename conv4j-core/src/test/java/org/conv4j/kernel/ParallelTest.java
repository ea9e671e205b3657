package org.conv4j.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelTest {
    private final int saved = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(saved);
    }

    @Test
    void everyTaskRunsExactlyOnceOverManyJobs() {
        Parallel.setThreads(3);
        for (int job = 0; job < 2000; job++) {
            int tasks = 1 + job % 37;
            AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
            Parallel.forEach(tasks, runs::incrementAndGet);
            for (int t = 0; t < tasks; t++) assertEquals(1, runs.get(t), "job " + job + " task " + t);
        }
    }

    @Test
    void workersTakePartWhenTasksWait() throws InterruptedException {
        Parallel.setThreads(2);
        Set<String> names = ConcurrentHashMap.newKeySet();
        CountDownLatch both = new CountDownLatch(2);
        // two tasks that each wait for the other: finishes only if they run on two threads at once
        Parallel.forEach(2, t -> {
            names.add(Thread.currentThread().getName());
            both.countDown();
            try {
                assertTrue(both.await(10, java.util.concurrent.TimeUnit.SECONDS), "the other task never started");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(2, names.size(), names.toString());
    }

    @Test
    void nestedCallsRunInline() {
        Parallel.setThreads(2);
        int[][] out = new int[4][5];
        Parallel.forEach(4, i -> Parallel.forEach(5, j -> out[i][j] = 10 * i + j));
        for (int i = 0; i < 4; i++) assertArrayEquals(new int[] {10 * i, 10 * i + 1, 10 * i + 2, 10 * i + 3, 10 * i + 4}, out[i]);
    }

    @Test
    void firstTaskExceptionReachesTheCallerAfterAllTasks() {
        Parallel.setThreads(2);
        AtomicIntegerArray runs = new AtomicIntegerArray(50);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.forEach(50, t -> {
            runs.incrementAndGet(t);
            if (t == 7) throw new IllegalArgumentException("task 7 failed");
        }));
        assertEquals("task 7 failed", e.getMessage());
        for (int t = 0; t < 50; t++) assertEquals(1, runs.get(t));
        // the pool is usable afterwards
        int[] after = new int[8];
        Parallel.forEach(8, t -> after[t] = t + 1);
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, 8}, after);
    }

    @Test
    void concurrentCallersFromSeveralThreadsAllComplete() throws Exception {
        Parallel.setThreads(2);
        Thread[] callers = new Thread[4];
        long[] sums = new long[callers.length];
        for (int c = 0; c < callers.length; c++) {
            int id = c;
            callers[c] = new Thread(() -> {
                for (int rep = 0; rep < 300; rep++) {
                    long[] part = new long[16];
                    Parallel.forEach(16, t -> part[t] = t + id);
                    for (long v : part) sums[id] += v;
                }
            });
            callers[c].start();
        }
        for (Thread t : callers) t.join(30_000);
        for (int c = 0; c < callers.length; c++) assertEquals(300L * (120 + 16 * c), sums[c], "caller " + c);
    }

    @Test
    void changingTheThreadCountKeepsWorking() {
        for (int n : new int[] {1, 4, 2, 1, 3}) {
            Parallel.setThreads(n);
            assertEquals(n, Parallel.threads());
            int[] out = new int[100];
            Parallel.forEach(100, t -> out[t] = t * t);
            for (int t = 0; t < 100; t++) assertEquals(t * t, out[t]);
        }
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
    }
}
