package org.conv4j.data;

import java.util.ArrayList;
import java.util.List;
import org.conv4j.tensor.Shape;

/**
 * Labelled image classification data: {@link #size()} samples, each a (C, H, W) float image
 * of {@link #sampleShape()} with a class index in {@code [0, numClasses())}.
 *
 * <p>Implementations must allow concurrent reads ({@link #copySample} and {@link #label} from
 * several threads at once), because {@link DataLoader} prefetches on a background thread.
 */
public interface Dataset {
    /** Number of samples. */
    int size();

    /** The shape of one sample, (C, H, W). */
    Shape sampleShape();

    /** Number of classes; every label is in {@code [0, numClasses())}. */
    int numClasses();

    /** Copies sample {@code index}, {@code sampleShape().size()} values in CHW order, into {@code dst} at {@code dstOffset}. */
    void copySample(int index, float[] dst, int dstOffset);

    /** The class index of sample {@code index}. */
    int label(int index);

    /**
     * The class names in label order, {@link #numClasses()} of them; by default the indices
     * ("0", "1", ...), for data sets that do not know what their classes are called.
     */
    default List<String> classNames() {
        List<String> names = new ArrayList<>();
        for (int c = 0; c < numClasses(); c++) names.add(Integer.toString(c));
        return names;
    }

    /** Values per sample, C*H*W. */
    default int sampleSize() {
        return sampleShape().size();
    }
}
