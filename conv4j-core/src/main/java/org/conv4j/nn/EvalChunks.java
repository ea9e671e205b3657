package org.conv4j.nn;

import java.util.List;
import org.conv4j.kernel.Parallel;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;

/**
 * An EVAL forward of a large batch as chunks of {@link #IMAGES} images, one task each: every
 * chunk runs the whole network on one thread (the kernels' own splits run inline inside a task),
 * and the chunks' outputs are copied into the batch's. Layer by layer over the whole batch, each
 * layer's output (VGG-small: 64 x 32 x 32 x 32 floats, 8 MB) leaves the core's cache before the
 * next layer reads it, and the threads meet at every layer; a chunk's activations stay in cache
 * from one layer to the next, and the threads meet once. The chunks are the same on any number
 * of threads (one thread runs them one after another), so 1 and N threads give the same bits.
 *
 * <p>Only for networks whose layers treat each image on its own, as known here: a layer that
 * mixes the batch (a softmax over dimension 0) or one this class does not know keeps the whole
 * batch together. {@code -Dconv4j.evalChunks=false} keeps every batch whole.
 */
final class EvalChunks {
    /**
     * Images per chunk: VGG-small's widest activation for 16 images is 2 MB, a core's L2 here; and
     * a Linear layer's product keeps 16 rows, the tiled GEMM's shape (fewer take its dot-product path).
     */
    static final int IMAGES = 16;

    // -Dconv4j.evalChunks=false runs every batch whole (to compare; results differ in the last bits)
    private static final boolean ON = !"false".equalsIgnoreCase(System.getProperty("conv4j.evalChunks", "true").trim());

    private EvalChunks() {
    }

    /**
     * The EVAL output of layer on x, chunk by chunk; null where the batch runs whole: fewer than
     * two chunks of images, a call from inside a task (a chunk's own forward), a layer
     * not known to treat images one by one, or an input the layer refuses (its forward then
     * reports it as usual).
     */
    static Tensor forward(Layer layer, Tensor x) {
        if (!ON || x.rank() < 2 || x.dim(0) < 2 * IMAGES || Parallel.insideTask() || !perImage(layer)) return null;
        Shape outShape;
        try {
            outShape = layer.outputShape(x.shape());
        } catch (IllegalArgumentException e) {
            return null;
        }
        int n = x.dim(0), chunks = (n + IMAGES - 1) / IMAGES, inPer = x.size() / n;
        Tensor y = Tensor.zeros(outShape);
        int outPer = y.size() / n;
        Parallel.forEach(chunks, c -> {
            int i0 = c * IMAGES, count = Math.min(IMAGES, n - i0);
            Tensor part = layer.forward(Tensor.view(x.data(), x.offset() + i0 * inPer, withBatch(x.shape(), count)), Mode.EVAL);
            // copied at once: the chunk's output may be a buffer this thread's next chunk overwrites
            System.arraycopy(part.data(), part.offset(), y.data(), y.offset() + i0 * outPer, count * outPer);
        });
        return y;
    }

    private static Shape withBatch(Shape s, int n) {
        int[] dims = s.dims();
        dims[0] = n;
        return Shape.of(dims);
    }

    // whether every layer in the tree computes each image's output from that image alone
    private static boolean perImage(Layer layer) {
        if (layer instanceof Softmax) return ((Softmax) layer).dim() >= 1;
        if (layer instanceof Graph) {
            for (Graph.Node node : ((Graph) layer).nodes()) {
                if (node.layer() != null ? !perImage(node.layer()) : !(node.merge() instanceof Add || node.merge() instanceof Concat)) return false;
            }
            return true;
        }
        if (layer instanceof Sequential) {
            for (Layer child : ((Sequential) layer).layers()) if (!perImage(child)) return false;
            return true;
        }
        return PER_IMAGE.contains(layer.getClass());
    }

    private static final List<Class<?>> PER_IMAGE = List.of(Conv2d.class, BatchNorm2d.class, BatchNorm1d.class, ReLU.class,
            LeakyReLU.class, Sigmoid.class, Tanh.class, MaxPool2d.class, AvgPool2d.class, GlobalAvgPool2d.class,
            AdaptiveAvgPool2d.class, AdaptiveMaxPool2d.class, Linear.class, Flatten.class, Dropout.class, Identity.class);
}
