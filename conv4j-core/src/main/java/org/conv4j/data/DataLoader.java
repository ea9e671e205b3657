package org.conv4j.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * Mini-batches of a {@link Dataset}: {@link Batch}es of images (N, C, H, W) and labels (N).
 *
 * <p>Everything random is a function of the seed, so any epoch (and any batch of it) can be
 * reproduced on resume, whatever the threads: epoch {@code e} visits the samples in a
 * permutation drawn from {@code (seed, e)} (or in order without {@link #shuffle(boolean)}),
 * and the transforms of sample {@code i} in epoch {@code e} draw from a generator seeded with
 * {@link #sampleSeed(long, int, int) sampleSeed(seed, e, i)}. Batches are
 * {@code ceil(size / batchSize)} per epoch, or {@code floor(size / batchSize)} with
 * {@link #dropLast(boolean)}.
 *
 * <p>With {@link #prefetch(int)} depth d &gt; 0 (default 2), a daemon thread builds up to d
 * batches ahead into a bounded queue; an exception there is rethrown to the caller by the
 * iterator. Close an epoch you leave early ({@code try (var e = loader.epoch(k)) { for (Batch b : e) ... }})
 * so its thread stops.
 */
public final class DataLoader {
    private final Dataset dataset;
    private final int batchSize;
    private boolean shuffle, dropLast;
    private long seed;
    private int prefetch = 2;
    private List<Transform> transforms = List.of();
    private List<Shape> shapes; // shapes.get(k) is the input shape of transform k; the last is the output

    public DataLoader(Dataset dataset, int batchSize) {
        this.dataset = Objects.requireNonNull(dataset, "dataset");
        if (batchSize < 1) throw new IllegalArgumentException("DataLoader: batch size must be positive, got " + batchSize);
        if (dataset.size() < 1) throw new IllegalArgumentException("DataLoader: the dataset is empty");
        if (dataset.sampleShape().rank() != 3) throw new IllegalArgumentException("DataLoader: expected (C, H, W) samples, got " + dataset.sampleShape());
        this.batchSize = batchSize;
        this.shapes = List.of(dataset.sampleShape());
    }

    /** Whether each epoch visits the samples in a fresh seeded permutation (default false). */
    public DataLoader shuffle(boolean shuffle) {
        this.shuffle = shuffle;
        return this;
    }

    public DataLoader seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** Whether to drop the last batch when it would be smaller than the batch size (default false). */
    public DataLoader dropLast(boolean dropLast) {
        this.dropLast = dropLast;
        if (batchesPerEpoch() == 0) {
            this.dropLast = false;
            throw new IllegalArgumentException("DataLoader: dropLast leaves no batch: " + dataset.size() + " samples, batch size " + batchSize);
        }
        return this;
    }

    /** How many batches a background thread builds ahead; 0 builds them on the caller's thread. */
    public DataLoader prefetch(int depth) {
        if (depth < 0) throw new IllegalArgumentException("DataLoader: prefetch depth must be >= 0, got " + depth);
        this.prefetch = depth;
        return this;
    }

    /** The transforms applied to every sample, in order (replacing any set before); checks that their shapes chain. */
    public DataLoader transforms(Transform... transforms) {
        List<Shape> s = new ArrayList<>();
        Shape shape = dataset.sampleShape();
        s.add(shape);
        for (Transform t : transforms) {
            shape = Objects.requireNonNull(t, "transform").outputShape(shape);
            s.add(shape);
        }
        this.transforms = List.of(transforms);
        this.shapes = List.copyOf(s);
        return this;
    }

    public Dataset dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    public boolean shuffle() {
        return shuffle;
    }

    public long seed() {
        return seed;
    }

    public boolean dropLast() {
        return dropLast;
    }

    public int prefetch() {
        return prefetch;
    }

    public List<Transform> transforms() {
        return transforms;
    }

    /** The shape of one sample after the transforms, (C, H, W). */
    public Shape sampleShape() {
        return shapes.get(shapes.size() - 1);
    }

    public int batchesPerEpoch() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The order in which epoch {@code epoch} visits the dataset: a seeded permutation, or 0..n-1 without shuffling. */
    public int[] order(int epoch) {
        checkEpoch(epoch);
        int n = dataset.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (shuffle) {
            // Fisher-Yates from a generator that depends only on (seed, epoch)
            SplittableRandom rng = new SplittableRandom(orderSeed(seed, epoch));
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /** The seed of the generator the transforms of dataset sample {@code index} use in epoch {@code epoch}. */
    public static long sampleSeed(long seed, int epoch, int index) {
        return mix(mix(orderSeed(seed, epoch) ^ 0xD1B54A32D192ED03L) + index);
    }

    private static long orderSeed(long seed, int epoch) {
        return mix(mix(seed + 0x9E3779B97F4A7C15L) + epoch);
    }

    /** SplitMix64's finalizer: a bijection that scrambles nearby inputs into unrelated outputs. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static void checkEpoch(int epoch) {
        if (epoch < 0) throw new IllegalArgumentException("DataLoader: epoch must be >= 0, got " + epoch);
    }

    /** Batch {@code index} of epoch {@code epoch}, built on the caller's thread. */
    public Batch batch(int epoch, int index) {
        return new Plan(this).build(order(epoch), epoch, Objects.checkIndex(index, batchesPerEpoch()));
    }

    /** The batches of epoch {@code epoch}, from the first. */
    public Epoch epoch(int epoch) {
        return epoch(epoch, 0);
    }

    /** The batches of epoch {@code epoch} from batch {@code fromBatch} on, to resume an interrupted epoch. */
    public Epoch epoch(int epoch, int fromBatch) {
        checkEpoch(epoch);
        if (fromBatch < 0 || fromBatch > batchesPerEpoch()) {
            throw new IllegalArgumentException("DataLoader: first batch must be in [0, " + batchesPerEpoch() + "], got " + fromBatch);
        }
        return new Epoch(new Plan(this), order(epoch), epoch, fromBatch);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("DataLoader(batch_size=").append(batchSize);
        if (shuffle) sb.append(", shuffle=true, seed=").append(seed);
        if (dropLast) sb.append(", drop_last=true");
        if (prefetch != 2) sb.append(", prefetch=").append(prefetch);
        if (!transforms.isEmpty()) sb.append(", transforms=").append(transforms);
        return sb.append(")").toString();
    }

    /** The loader's settings frozen when an epoch starts, so later setter calls do not disturb it. */
    private static final class Plan {
        final Dataset dataset;
        final int batchSize, batches, prefetch;
        final long seed;
        final List<Transform> transforms;
        final List<Shape> shapes;

        Plan(DataLoader l) {
            dataset = l.dataset;
            batchSize = l.batchSize;
            batches = l.batchesPerEpoch();
            prefetch = l.prefetch;
            seed = l.seed;
            transforms = l.transforms;
            shapes = l.shapes;
        }

        Batch build(int[] order, int epoch, int b) {
            int from = b * batchSize, count = Math.min(batchSize, order.length - from);
            Shape out = shapes.get(shapes.size() - 1);
            int outSize = out.size();
            Tensor images = Tensor.zeros(count, out.dim(0), out.dim(1), out.dim(2));
            float[] x = images.data();
            int[] labels = new int[count], indices = new int[count];
            int scratchSize = 0;
            for (Shape s : shapes) scratchSize = Math.max(scratchSize, s.size());
            float[] a = transforms.isEmpty() ? null : new float[scratchSize];
            float[] c = transforms.size() < 2 ? null : new float[scratchSize];
            for (int i = 0; i < count; i++) {
                int idx = order[from + i];
                indices[i] = idx;
                labels[i] = dataset.label(idx);
                if (labels[i] < 0 || labels[i] >= dataset.numClasses()) {
                    throw new IllegalStateException("DataLoader: the dataset gave label " + labels[i] + " for sample " + idx + ", outside [0, " + dataset.numClasses() + ")");
                }
                if (transforms.isEmpty()) {
                    dataset.copySample(idx, x, i * outSize);
                    continue;
                }
                dataset.copySample(idx, a, 0);
                SplittableRandom rng = new SplittableRandom(sampleSeed(seed, epoch, idx));
                float[] src = a, other = c;
                for (int k = 0; k < transforms.size(); k++) {
                    boolean last = k == transforms.size() - 1;
                    float[] dst = last ? x : other;
                    transforms.get(k).apply(src, 0, shapes.get(k), dst, last ? i * outSize : 0, rng);
                    other = src;
                    src = dst;
                }
            }
            return new Batch(images, labels, indices, epoch, b);
        }
    }

    /**
     * The batches of one epoch: iterable once, closeable to stop its prefetch thread early.
     */
    public static final class Epoch implements Iterable<Batch>, AutoCloseable {
        private static final Object END = new Object();

        private final Plan plan;
        private final int[] order;
        private final int epoch, from;
        private boolean started;
        private Prefetcher prefetcher;

        private Epoch(Plan plan, int[] order, int epoch, int from) {
            this.plan = plan;
            this.order = order;
            this.epoch = epoch;
            this.from = from;
        }

        public int epoch() {
            return epoch;
        }

        /** The index of the first batch this iterates. */
        public int firstBatch() {
            return from;
        }

        /** The number of batches this iterates. */
        public int batches() {
            return plan.batches - from;
        }

        @Override
        public synchronized Iterator<Batch> iterator() {
            if (started) throw new IllegalStateException("an Epoch iterates once; call DataLoader.epoch(" + epoch + ") again");
            started = true;
            if (plan.prefetch == 0) return new Direct();
            prefetcher = new Prefetcher();
            return prefetcher;
        }

        /** Stops the prefetch thread (if any) and waits for it to end. */
        @Override
        public void close() {
            Prefetcher p;
            synchronized (this) {
                p = prefetcher;
                started = true;
            }
            if (p != null) p.stop();
        }

        private final class Direct implements Iterator<Batch> {
            private int next = from;

            @Override
            public boolean hasNext() {
                return next < plan.batches;
            }

            @Override
            public Batch next() {
                if (!hasNext()) throw new NoSuchElementException();
                int b = next;
                next = plan.batches; // a failure ends the epoch, as with prefetching
                Batch batch = plan.build(order, epoch, b);
                next = b + 1;
                return batch;
            }
        }

        private record Failure(Throwable error) {
        }

        private final class Prefetcher implements Iterator<Batch> {
            private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(plan.prefetch);
            private final Thread thread;
            private volatile boolean stopped;
            private Object next;
            private boolean done;

            Prefetcher() {
                thread = new Thread(this::produce, "conv4j-data-loader-epoch-" + epoch);
                thread.setDaemon(true);
                thread.start();
            }

            private void produce() {
                try {
                    for (int b = from; b < plan.batches; b++) {
                        if (!deliver(plan.build(order, epoch, b))) return;
                    }
                    deliver(END);
                } catch (InterruptedException e) {
                    // stop() asked us to end
                } catch (Throwable t) {
                    try {
                        deliver(new Failure(t));
                    } catch (InterruptedException e) {
                        // stop() asked us to end
                    }
                }
            }

            /** Queues an item; false once stopped. Polls the flag too, in case a dataset swallowed the interrupt. */
            private boolean deliver(Object item) throws InterruptedException {
                while (!stopped) {
                    if (queue.offer(item, 50, TimeUnit.MILLISECONDS)) return true;
                }
                return false;
            }

            void stop() {
                stopped = true;
                thread.interrupt();
                boolean interrupted = false;
                while (thread.isAlive()) {
                    try {
                        thread.join();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) Thread.currentThread().interrupt();
            }

            @Override
            public boolean hasNext() {
                if (done) return false;
                if (next == null) {
                    try {
                        next = queue.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while waiting for the next batch", e);
                    }
                }
                if (next == END) {
                    done = true;
                    return false;
                }
                if (next instanceof Failure f) {
                    done = true;
                    Throwable t = f.error();
                    if (t instanceof RuntimeException r) throw r;
                    if (t instanceof Error e) throw e;
                    throw new IllegalStateException("building a batch failed", t);
                }
                return true;
            }

            @Override
            public Batch next() {
                if (!hasNext()) throw new NoSuchElementException();
                Batch b = (Batch) next;
                next = null;
                return b;
            }
        }
    }
}
