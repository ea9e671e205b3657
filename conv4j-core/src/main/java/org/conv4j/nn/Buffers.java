package org.conv4j.nn;

import java.util.Arrays;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * A layer's output and gradient tensors, kept from one step to the next when
 * {@link Layer#reuseBuffers reuse} is on, so a steady-state step allocates nothing large: fresh
 * tensors every step cost a pass over new memory each and make the garbage collector grow the heap.
 */
final class Buffers {
    private final Tensor[] slots;
    private boolean reuse;

    Buffers(int slots) {
        this.slots = new Tensor[slots];
    }

    void reuse(boolean on) {
        reuse = on;
        if (!on) Arrays.fill(slots, null);
    }

    /**
     * A tensor of this shape for the caller to overwrite whole: when reusing, the slot's tensor
     * as the last call left it (a new one if the shape changed); otherwise a new zero tensor.
     */
    Tensor get(int slot, Shape shape) {
        if (!reuse) return Tensor.zeros(shape);
        Tensor t = slots[slot];
        if (t == null || !t.shape().equals(shape)) {
            t = Tensor.zeros(shape);
            slots[slot] = t;
        }
        return t;
    }
}
