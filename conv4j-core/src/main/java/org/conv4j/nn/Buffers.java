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

    /** A zero tensor of this shape: the slot's tensor, zeroed, when reusing and the shape matches; else a new one. */
    Tensor zeros(int slot, Shape shape) {
        if (!reuse) return Tensor.zeros(shape);
        Tensor t = slots[slot];
        if (t == null || !t.shape().equals(shape)) {
            t = Tensor.zeros(shape);
            slots[slot] = t;
        } else {
            t.fill(0f);
        }
        return t;
    }
}
