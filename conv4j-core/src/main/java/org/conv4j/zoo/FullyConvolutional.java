package org.conv4j.zoo;

import org.conv4j.nn.AdaptiveAvgPool2d;
import org.conv4j.nn.BatchNorm1d;
import org.conv4j.nn.BatchNorm2d;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Dropout;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.Identity;
import org.conv4j.nn.Layer;
import org.conv4j.nn.LeakyReLU;
import org.conv4j.nn.Linear;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.nn.Sigmoid;
import org.conv4j.nn.Tanh;
import org.conv4j.tensor.Shape;

/**
 * Turns a trained classifier into a fully convolutional network (SPEC 1, "FC and conv layers
 * convert into each other"; SPEC 4, "Fully convolutional networks").
 *
 * <p>The classifier is a {@link Sequential} (containers nested in it are Sequentials too; a
 * {@link org.conv4j.nn.Graph} counts as one body layer) made of a body and a head. The head starts
 * at the first {@link Flatten} or {@link Linear} in walk order and may hold only Flatten, Linear,
 * BatchNorm1d and element-wise layers (ReLU, LeakyReLU, Sigmoid, Tanh, Identity, Dropout). With
 * the body mapping the training input to a (C, H, W) map:
 * <ul>
 *   <li>the first Linear, weight (K1, C*H*W), becomes {@code Conv2d(C, K1, H x W)} whose weight is
 *       the same numbers read as (K1, C, H, W): Flatten orders features as (c, y, x), so
 *       {@code sum_f W[k, f] x[f] = sum_{c,y,x} W[k, c, y, x] x[c, y, x]}, one conv window;
 *   <li>each later Linear (K2, K1) becomes a 1x1 {@code Conv2d(K1, K2, 1)} with weight (K2, K1, 1, 1);
 *   <li>a BatchNorm1d becomes a BatchNorm2d with the same weight, bias, running statistics, eps and
 *       momentum (per channel, so identical in EVAL); Flatten layers are dropped; element-wise
 *       layers work on any shape and are kept.
 * </ul>
 * On the training input the result gives (N, K, 1, 1) holding exactly the classifier's (N, K) up
 * to float summation order. On a larger (H', W') input whose body map is (C, H'', W''), it gives a
 * score map (N, K, H'' - H + 1, W'' - W + 1): the position (i, j) holds the classifier's scores
 * for the window of the input that starts at {@code (i * jump, j * jump)} where {@code jump} is the
 * body's total stride (ModelSummary's jump), exactly so when the body has no padding (a padded
 * body sees zeros at a crop's border where the large image has pixels).
 *
 * <p>An {@link AdaptiveAvgPool2d} in the body that is the identity on the training input
 * (torchvision's AlexNet and VGG at 224x224) is dropped; one that is not stays, and keeps the
 * result's output 1x1 at any input size.
 *
 * <p>The result keeps the classifier's child names, minus the Flatten layers, so parameter names
 * carry over ({@code classifier.1.weight} is now (4096, 256, 6, 6)). The Sequential containers are
 * new, but the body's layers (a Graph included) and the element-wise head layers are shared with
 * the classifier (the same instances, so the same weights), while the head's Linear and
 * BatchNorm1d layers become new Conv2d and BatchNorm2d layers holding copies of their values:
 * convert again after further training, and run the two networks in {@link org.conv4j.nn.Mode#EVAL}
 * (TRAIN state lives in the shared layers). Creating the convs draws from {@link org.conv4j.nn.Init}'s
 * generator before their weights are overwritten.
 */
public final class FullyConvolutional {
    private FullyConvolutional() {
    }

    /**
     * The fully convolutional equivalent of {@code classifier} trained on (channels, height, width)
     * inputs. Throws {@link IllegalArgumentException} if the model is not a Sequential, has no
     * Flatten or Linear head, has a layer in its head that cannot be converted, or does not accept
     * the training input.
     */
    public static Sequential convert(Layer classifier, int channels, int height, int width) {
        if (!(classifier instanceof Sequential seq)) {
            throw new IllegalArgumentException("FullyConvolutional: expected a Sequential classifier (body, then a Flatten + Linear "
                    + "head), got " + (classifier == null ? "null" : classifier.getClass().getSimpleName()));
        }
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException(String.format("FullyConvolutional: the training input must be positive, got %dx%dx%d",
                    channels, height, width));
        }
        Shape input = Shape.of(1, channels, height, width);
        try {
            seq.outputShape(input);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("FullyConvolutional: the classifier does not accept the training input "
                    + input + ": " + e.getMessage(), e);
        }
        State st = new State(input);
        Sequential out = rebuild(seq, "", st);
        if (!st.inHead) {
            throw new IllegalArgumentException("FullyConvolutional: the classifier has no Flatten or Linear layer; expected a body "
                    + "followed by a head of Flatten + Linear layers (with ReLU, Dropout ... between)");
        }
        return out;
    }

    // the walk's position: the ORIGINAL model's current shape, whether the head has started, the map it starts from
    private static final class State {
        Shape shape, map;
        boolean inHead;
        int linears;

        State(Shape shape) {
            this.shape = shape;
        }
    }

    private static Sequential rebuild(Sequential seq, String prefix, State st) {
        Sequential out = new Sequential();
        for (int i = 0; i < seq.size(); i++) {
            String name = seq.names().get(i), path = prefix + name;
            Layer layer = seq.get(i);
            if (layer instanceof Sequential inner) {
                out.add(name, rebuild(inner, path + ".", st));
                continue;
            }
            // torchvision's avgpool before the head (AlexNet's 6x6, VGG's 7x7) is the identity at its
            // training size (224x224); dropped, so that a larger input slides the head over the map
            if (!st.inHead && layer instanceof AdaptiveAvgPool2d && layer.outputShape(st.shape).equals(st.shape)) continue;
            if (!st.inHead && (layer instanceof Flatten || layer instanceof Linear)) {
                Shape s = st.shape;
                if (s.rank() != 4) {
                    throw new IllegalArgumentException(String.format("FullyConvolutional: the head starts at layer %s (%s), whose input "
                            + "has shape %s; expected a (N, C, H, W) feature map there", path, layer, s));
                }
                st.inHead = true;
                st.map = s;
            }
            Layer converted = st.inHead ? convertHead(layer, path, st) : layer;
            st.shape = layer.outputShape(st.shape);
            if (converted != null) out.add(name, converted);
        }
        return out;
    }

    // one head layer; null drops it (Flatten)
    private static Layer convertHead(Layer layer, String path, State st) {
        if (layer instanceof Flatten) return null;
        if (layer instanceof Linear lin) {
            Conv2d conv;
            if (st.linears++ == 0) {
                Shape s = st.map; // (N, C, H, W) where the head starts
                conv = new Conv2d(s.dim(1), lin.outFeatures(), s.dim(2), s.dim(3));
            } else {
                conv = new Conv2d(lin.inFeatures(), lin.outFeatures(), 1);
            }
            if (!lin.hasBias()) conv.bias(false);
            conv.weight().value().copyFrom(lin.weight().value());
            if (lin.hasBias()) conv.biasParameter().value().copyFrom(lin.biasParameter().value());
            return conv;
        }
        if (layer instanceof BatchNorm1d bn) {
            BatchNorm2d b = new BatchNorm2d(bn.numFeatures()).eps(bn.eps()).momentum(bn.momentum()).affine(bn.isAffine());
            if (bn.isAffine()) {
                b.weight().value().copyFrom(bn.weight().value());
                b.biasParameter().value().copyFrom(bn.biasParameter().value());
            }
            b.runningMean().value().copyFrom(bn.runningMean().value());
            b.runningVar().value().copyFrom(bn.runningVar().value());
            return b;
        }
        if (layer instanceof ReLU || layer instanceof LeakyReLU || layer instanceof Sigmoid || layer instanceof Tanh
                || layer instanceof Identity || layer instanceof Dropout) {
            return layer;
        }
        throw new IllegalArgumentException(String.format("FullyConvolutional: layer %s (%s) is in the head (after the first Flatten "
                + "or Linear) and cannot be converted; the head may hold only Flatten, Linear, BatchNorm1d, ReLU, LeakyReLU, "
                + "Sigmoid, Tanh, Identity and Dropout", path, layer.getClass().getSimpleName()));
    }
}
