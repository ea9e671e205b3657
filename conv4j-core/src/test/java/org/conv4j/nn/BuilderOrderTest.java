package org.conv4j.nn;

import static org.conv4j.testing.Assertions2.assertSameBits;
import static org.conv4j.testing.Assertions2.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.conv4j.io.ModelFile;
import org.conv4j.kernel.PaddingMode;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builder calls give the same layer in any order, and never discard parameters that were set or loaded. */
class BuilderOrderTest {
    private static final long SEED = 1234;

    /** Every order of {@code builders}, each from the same seed, gives the same description, parameters and output. */
    @SafeVarargs
    private static <L extends Layer> int assertAnyOrderGivesTheSameLayer(Supplier<L> create, Mode mode, int[] input,
                                                                           UnaryOperator<L>... builders) {
        Tensor x = random(new SplittableRandom(5), input);
        List<List<UnaryOperator<L>>> orders = permutations(List.of(builders));
        String firstText = null;
        List<Tensor> firstParameters = null;
        Tensor firstOutput = null;
        for (List<UnaryOperator<L>> order : orders) {
            Init.seed(SEED);
            L layer = create.get();
            for (UnaryOperator<L> b : order) layer = b.apply(layer);
            List<Tensor> parameters = new ArrayList<>();
            for (Parameter p : layer.parameters()) parameters.add(p.value().copy());
            Tensor y = layer.forward(x, mode).copy();
            if (firstText == null) {
                firstText = layer.toString();
                firstParameters = parameters;
                firstOutput = y;
                continue;
            }
            assertEquals(firstText, layer.toString());
            assertEquals(firstParameters.size(), parameters.size(), "number of parameters of " + layer);
            for (int i = 0; i < parameters.size(); i++) assertSameBits(firstParameters.get(i), parameters.get(i));
            assertSameBits(firstOutput, y);
        }
        return orders.size();
    }

    private static <T> List<List<T>> permutations(List<T> items) {
        if (items.isEmpty()) return List.of(List.of());
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<T> rest = new ArrayList<>(items);
            T first = rest.remove(i);
            for (List<T> p : permutations(rest)) {
                List<T> order = new ArrayList<>();
                order.add(first);
                order.addAll(p);
                out.add(order);
            }
        }
        return out;
    }

    private static void fill(Parameter p, float start) {
        Tensor t = p.value();
        for (int i = 0; i < t.size(); i++) t.data()[t.offset() + i] = start + i;
    }

    @Test
    void conv2dBuildersInAnyOrder() {
        int orders = assertAnyOrderGivesTheSameLayer(() -> new Conv2d(4, 6, 3), Mode.EVAL, new int[] {2, 4, 9, 9},
                c -> c.groups(2), c -> c.bias(false), c -> c.stride(2), c -> c.padding(1), c -> c.dilation(2),
                c -> c.paddingMode(PaddingMode.REFLECT));
        assertEquals(720, orders);
        assertAnyOrderGivesTheSameLayer(() -> new Conv2d(2, 2, 3), Mode.EVAL, new int[] {1, 2, 7, 7},
                c -> c.groups(2), c -> c.bias(true), c -> c.padding("same"), c -> c.dilation(2), c -> c.strict(true));
    }

    @Test
    void conv2dSameWeightsAsOneGeneratorPerShapingCall() {
        // the seeded weights of the usual order, as before: construction and each groups/bias call take one generator
        Init.seed(SEED);
        Conv2d conv = new Conv2d(4, 6, 3).stride(2).groups(2).bias(false);
        Init.seed(SEED);
        Init.nextGenerator();
        Init.nextGenerator();
        Tensor expected = Tensor.zeros(6, 2, 3, 3);
        Init.pytorchDefault(expected, 2 * 3 * 3, Init.nextGenerator());
        assertSameBits(expected, conv.weight().value());
        assertNull(conv.biasParameter());
    }

    @Test
    void conv2dBuildersKeepWeightsThatWereSet() {
        Conv2d conv = new Conv2d(4, 6, 3).groups(2);
        Parameter w = conv.weight(), b = conv.biasParameter();
        fill(w, 1);
        fill(b, 100);
        Tensor wSet = w.value().copy(), bSet = b.value().copy();

        conv.groups(2).bias(true).stride(2).padding(1);   // the current values: nothing changes
        assertSame(w, conv.weight());
        assertSame(b, conv.biasParameter());
        assertSameBits(wSet, conv.weight().value());
        assertSameBits(bSet, conv.biasParameter().value());

        var e = assertThrows(IllegalStateException.class, () -> conv.groups(1));
        assertEquals("Conv2d: groups(1) would change the weight from [6, 2, 3, 3] to [6, 4, 3, 3] after the parameters were "
                + "handed out (set, loaded or given to an optimizer); call groups(...) before weight(), parameters() or loading",
                e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> conv.bias(false));
        assertTrue(e.getMessage().startsWith("Conv2d: bias(false) would remove the bias after the parameters were handed out"),
                e.getMessage());
        assertEquals(2, conv.groups());
        assertSameBits(wSet, conv.weight().value());
        assertSameBits(bSet, conv.biasParameter().value());
    }

    @Test
    void conv2dBuildersAfterInitApplyOrLoadingFail(@TempDir Path dir) throws Exception {
        Conv2d initialised = new Conv2d(3, 3, 1).bias(false);
        Init.apply(initialised, Init.Scheme.constant(0.5f, 0f));
        assertThrows(IllegalStateException.class, () -> initialised.bias(true));
        assertThrows(IllegalStateException.class, () -> initialised.groups(3));
        assertEquals(0.5f, initialised.weight().value().at(0));

        Conv2d saved = new Conv2d(3, 3, 1);
        fill(saved.weight(), 7);
        fill(saved.biasParameter(), -7);
        Path file = dir.resolve("conv.safetensors");
        ModelFile.save(saved, file);
        Conv2d loaded = new Conv2d(3, 3, 1);
        ModelFile.loadWeights(loaded, file);
        assertThrows(IllegalStateException.class, () -> loaded.groups(3));
        assertThrows(IllegalStateException.class, () -> loaded.bias(false));
        loaded.bias(true);
        assertSameBits(saved.weight().value(), loaded.weight().value());
        assertSameBits(saved.biasParameter().value(), loaded.biasParameter().value());
    }

    @Test
    void batchNormBuildersInAnyOrder() {
        assertAnyOrderGivesTheSameLayer(() -> new BatchNorm2d(3), Mode.TRAIN, new int[] {4, 3, 2, 2},
                b -> b.affine(false), b -> b.eps(1e-3), b -> b.momentum(0.3));
        assertAnyOrderGivesTheSameLayer(() -> new BatchNorm2d(3), Mode.TRAIN, new int[] {4, 3, 2, 2},
                b -> b.affine(true), b -> b.eps(1e-3), b -> b.momentum(0.3));
        assertAnyOrderGivesTheSameLayer(() -> new BatchNorm1d(5), Mode.TRAIN, new int[] {4, 5},
                b -> b.affine(false), b -> b.eps(1e-3), b -> b.momentum(0.3));
    }

    @Test
    void batchNormAffineKeepsGammaAndBetaThatWereSet() {
        BatchNorm2d bn = new BatchNorm2d(3);
        fill(bn.weight(), 2);
        fill(bn.biasParameter(), -1);
        bn.affine(true).eps(1e-3);
        assertEquals(List.of(2f, 3f, 4f), List.of(bn.weight().value().at(0), bn.weight().value().at(1), bn.weight().value().at(2)));
        assertEquals(-1f, bn.biasParameter().value().at(0));
        var e = assertThrows(IllegalStateException.class, () -> bn.affine(false));
        assertEquals("BatchNorm2d: affine(false) would remove gamma and beta after the parameters were handed out (set, loaded or "
                + "given to an optimizer); call affine(...) before weight(), parameters() or loading", e.getMessage());
        assertTrue(bn.isAffine());

        BatchNorm1d bn1 = new BatchNorm1d(3).affine(false);
        bn1.parameters();
        e = assertThrows(IllegalStateException.class, () -> bn1.affine(true));
        assertTrue(e.getMessage().startsWith("BatchNorm1d: affine(true) would add gamma and beta"), e.getMessage());
        // before anything is handed out, switching back and forth is free and gives the defaults
        BatchNorm2d fresh = new BatchNorm2d(2).affine(false).affine(true);
        assertEquals(1f, fresh.weight().value().at(1));
        assertEquals(0f, fresh.biasParameter().value().at(1));
    }

    @Test
    void poolingAndDropoutBuildersInAnyOrder() {
        int[] in = {2, 3, 9, 9};
        assertAnyOrderGivesTheSameLayer(() -> new MaxPool2d(3), Mode.EVAL, in,
                p -> p.stride(2), p -> p.padding(1), p -> p.dilation(2), p -> p.ceilMode(true));
        assertAnyOrderGivesTheSameLayer(() -> new AvgPool2d(3), Mode.EVAL, in,
                p -> p.stride(2), p -> p.padding(1), p -> p.ceilMode(true), p -> p.countIncludePad(false));
        assertAnyOrderGivesTheSameLayer(() -> new GaussianPool2d(3, 0.8), Mode.EVAL, in, p -> p.stride(2), p -> p.padding(1));
        assertAnyOrderGivesTheSameLayer(() -> new TrainablePool2d(3, 3), Mode.EVAL, in, p -> p.stride(2), p -> p.padding(1));
        assertAnyOrderGivesTheSameLayer(() -> new Dropout(0.4), Mode.TRAIN, in,
                d -> d.seed(9), d -> d.scaling(Dropout.Scaling.DOWNSCALE_IN_INFER));
    }

    @Test
    void trainablePoolBuildersKeepWeightsThatWereSet() {
        TrainablePool2d pool = new TrainablePool2d(2, 2);
        fill(pool.weight(), 3);
        Tensor set = pool.weight().value().copy();
        pool.stride(1).padding(1);
        assertSameBits(set, pool.weight().value());
    }
}
