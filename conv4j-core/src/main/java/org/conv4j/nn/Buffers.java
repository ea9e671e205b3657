package org.conv4j.nn;

import java.util.Arrays;
import org.conv4j.kernel.Parallel;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * A layer's output and gradient tensors, kept from one step to the next when
 * {@link Layer#reuseBuffers reuse} is on, so a steady-state step allocates nothing large: fresh
 * tensors every step cost a pass over new memory each and make the garbage collector grow the heap.
 * Each thread of the kernel pool keeps its own set ({@link Parallel#workerIndex}): an EVAL
 * forward split into chunks of images ({@link EvalChunks}) runs the same layers on several of
 * them at once.
 */
final class Buffers {
    private final int slots;
    private Tensor[][] byWorker = new Tensor[1][];
    private boolean reuse;

    Buffers(int slots) {
        this.slots = slots;
    }

    synchronized void reuse(boolean on) {
        reuse = on;
        if (!on) byWorker = new Tensor[1][];
    }

    /**
     * A tensor of this shape for the caller to overwrite whole: when reusing, the slot's tensor
     * as the calling thread's last call left it (a new one if the shape changed); otherwise a new
     * zero tensor.
     */
    Tensor get(int slot, Shape shape) {
        if (!reuse) return Tensor.zeros(shape);
        Tensor[] mine = mine();
        Tensor t = mine[slot];
        if (t == null || !t.shape().equals(shape)) {
            t = Tensor.zeros(shape);
            mine[slot] = t;
        }
        return t;
    }

    private Tensor[] mine() {
        int w = Parallel.workerIndex();
        Tensor[][] all = byWorker;
        if (w < all.length && all[w] != null) return all[w];
        synchronized (this) {
            if (w >= byWorker.length) byWorker = Arrays.copyOf(byWorker, w + 1);
            if (byWorker[w] == null) byWorker[w] = new Tensor[slots];
            return byWorker[w];
        }
    }
}
