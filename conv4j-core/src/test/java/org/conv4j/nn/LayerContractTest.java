package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.conv4j.check.GradientCheck;
import org.conv4j.check.GradientCheckSuite;
import org.conv4j.io.Architecture;
import org.conv4j.io.ModelFile;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every layer type keeps (DESIGN, after Guava's testlib): the shape it announces is
 * the shape it returns, its gradients pass the numerical check, it survives a save and load
 * bit for bit, and inference from several threads at once equals inference from one.
 */
class LayerContractTest {
    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> everyLayerTypeKeepsTheContract() {
        GradientCheckSuite suite = GradientCheckSuite.standard();
        return suite.layerTypes().stream().map(type -> DynamicTest.dynamicTest(type, () -> {
            SplittableRandom rng = new SplittableRandom(type.hashCode());
            for (int i = 0; i < 3; i++) {
                Init.seed(rng.nextLong());
                GradientCheckSuite.Case c = suite.generate(type, rng);
                Layer layer = c.layer();
                Tensor x = c.input();
                String what = type + " " + layer + " on " + x.shape();

                assertEquals(layer.outputShape(x.shape()), layer.forward(x, Mode.TRAIN).shape(), what);
                assertEquals(layer.outputShape(x.shape()), layer.forward(x, Mode.EVAL).shape(), what);

                GradientCheck.Report r = new GradientCheck().mode(c.mode()).check(layer, x);
                assertTrue(r.passed(2e-2), what + "\n" + r);

                Tensor expected = layer.forward(x, Mode.EVAL);
                if (Architecture.types().contains(layer.getClass().getSimpleName())) { // the fixed-mask dropout wrapper is test-only
                    Path file = dir.resolve(type + i + ".safetensors");
                    ModelFile.save(layer, file);
                    assertSameBits(expected, ModelFile.load(file).forward(x, Mode.EVAL));
                }

                ExecutorService pool = Executors.newFixedThreadPool(4);
                try {
                    List<Future<Tensor>> results = new ArrayList<>();
                    for (int t = 0; t < 16; t++) results.add(pool.submit(() -> layer.forward(x, Mode.EVAL)));
                    for (Future<Tensor> f : results) assertSameBits(expected, f.get());
                } finally {
                    pool.shutdownNow();
                }
            }
        }));
    }
}
