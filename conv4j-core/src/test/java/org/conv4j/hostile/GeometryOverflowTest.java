package org.conv4j.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.conv4j.io.Architecture;
import org.conv4j.io.ModelFile;
import org.conv4j.io.ModelFormatException;
import org.conv4j.kernel.ConvGeometry;
import org.conv4j.nn.AvgPool2d;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.Mode;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.conv4j.zoo.LeNet5;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 21: sizes computed from configuration never wrap around an int. */
class GeometryOverflowTest {
    @TempDir
    Path dir;

    @Test
    void dilationNearIntMaxIsRefusedWhenConfigured() {
        // was: outputShape [1, 1, 32, 32] and an IndexOutOfBoundsException in VectorConv on the first forward
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Conv2d(1, 1, 5).dilation(Integer.MAX_VALUE, Integer.MAX_VALUE));
        assertTrue(e.getMessage().startsWith("Conv2d: dilation 2147483647 is over the limit of 16777216"), e.getMessage());
        // within the per-value limit, the dilated span is computed in long and checked too
        e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(1, 1, 5).dilation(1 << 23, 1));
        assertEquals("Conv2d: dilated kernel height: dilation 8388608 x (kernel 5 - 1) + 1 = 33554433 is over the limit of 16777216", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(3).dilation(Integer.MAX_VALUE));
        assertTrue(e.getMessage().startsWith("MaxPool2d: dilation 2147483647 is over the limit"), e.getMessage());
    }

    @Test
    void paddingNearIntMaxIsRefusedWhenConfigured() {
        // was: ArrayIndexOutOfBoundsException in VectorConv.pad
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Conv2d(1, 1, 5).padding(0, 2, Integer.MAX_VALUE, Integer.MAX_VALUE));
        assertEquals("Conv2d: padding 2147483647 is over the limit of " + ConvGeometry.MAX_EXTENT, e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(1, 1, 3).stride(Integer.MAX_VALUE));
        assertTrue(e.getMessage().contains("stride 2147483647 is over the limit"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new org.conv4j.nn.Linear(65536, 65536));
        assertEquals("Linear: a weight of 65536 x 65536 = 4294967296 values is over the limit of 2147483639 (the largest array)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(Integer.MAX_VALUE));
        assertTrue(e.getMessage().startsWith("AvgPool2d: kernel height 2147483647 is over the limit"), e.getMessage());
    }

    @Test
    void paddedInputOverTheLargestArrayIsRefusedBeforeAllocating() {
        // every value under the per-value limit, but the padded 28+2^24 square does not fit one array
        Conv2d c = new Conv2d(1, 1, 5).padding(ConvGeometry.MAX_EXTENT / 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.outputShape(Shape.of(1, 1, 28, 28)));
        assertTrue(e.getMessage().startsWith("Conv2d: the padded input 1x16777244x16777244 has"), e.getMessage());
        assertTrue(e.getMessage().endsWith("over the limit of 2147483639 (the largest array)"), e.getMessage());
        // a large but fitting configuration still works: output 28 + 2*100 - 4 = 224
        Conv2d ok = new Conv2d(1, 1, 5).padding(100);
        assertEquals(Shape.of(1, 1, 224, 224), ok.forward(Tensor.zeros(1, 1, 28, 28), Mode.EVAL).shape());
    }

    @Test
    void aModelFileWithOverflowingValuesFailsToLoadNamingTheLayer() throws Exception {
        Path file = dir.resolve("lenet.safetensors");
        ModelFile.save(LeNet5.build(1, 28, 28, 10), file);
        String arch = Architecture.toJson(ModelFile.load(file));
        // the first convolution's dilation set to 2^31-1: was a file that loads and fails on the first forward
        String dilated = arch.replaceFirst("\"dilation\":\\[1,1\\]", "\"dilation\":[2147483647,2147483647]");
        assertTrue(!dilated.equals(arch), arch);
        ModelFormatException m = assertThrows(ModelFormatException.class,
                () -> ModelFile.load(HostileFiles.withArchitecture(file, dilated, dir.resolve("dilated.safetensors"))));
        assertTrue(m.getMessage().contains("$.layers[0].layers[0] (Conv2d): Conv2d: dilation 2147483647 is over the limit of 16777216"), m.getMessage());
        String padded = arch.replaceFirst("\"padding\":\\[[0-9]+,[0-9]+,[0-9]+,[0-9]+\\]", "\"padding\":[0,2,2147483647,2147483647]");
        assertTrue(!padded.equals(arch), arch);
        m = assertThrows(ModelFormatException.class,
                () -> ModelFile.load(HostileFiles.withArchitecture(file, padded, dir.resolve("padded.safetensors"))));
        assertTrue(m.getMessage().contains("Conv2d: padding 2147483647 is over the limit of 16777216"), m.getMessage());
    }
}
