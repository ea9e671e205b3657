package org.conv4j.peers;

import org.conv4j.bench.Bench;
import org.conv4j.bench.BenchCase;
import org.conv4j.bench.PeerRunner;
import org.deeplearning4j.nn.api.OptimizationAlgorithm;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The bench cases in Deeplearning4j 1.0.0-M2.1 (nd4j-native, linux-x86_64), measured by conv4j's
 * harness ({@link PeerRunner}). A training step is {@code fit(DataSet)} (forward, softmax
 * cross-entropy, backward, update); the updater is {@link Nesterovs} with momentum 0.9, DL4J's
 * momentum SGD (its Sgd has no momentum). Inference is {@code output(x, false)}, which includes
 * the output layer's softmax. Threads: OMP_NUM_THREADS=N and OPENBLAS_NUM_THREADS=N (compare.sh).
 */
public final class Dl4jBench {
    private Dl4jBench() {
    }

    public static void main(String[] args) {
        PeerRunner.Args a = PeerRunner.parse(args);
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        String version = "Deeplearning4j 1.0.0-M2.1 (" + Nd4j.getBackend().getClass().getSimpleName() + ")";
        PeerRunner.run("dl4j", version, a, Dl4jBench::step, System.out);
        System.exit(0);
    }

    static Runnable step(BenchCase c) {
        Nd4j.getRandom().setSeed(Bench.SEED);
        INDArray x = Nd4j.randn(DataType.FLOAT, c.batch(), c.channels(), c.height(), c.width());
        INDArray y = Nd4j.zeros(DataType.FLOAT, c.batch(), c.classes());
        for (int i = 0; i < c.batch(); i++) y.putScalar(i, (i * 7) % c.classes(), 1f);
        DataSet batch = new DataSet(x, y);
        if (c.model().equals("resnet20")) {
            ComputationGraph g = new ComputationGraph(resnet20(c));
            g.init();
            return c.train() ? () -> g.fit(batch) : () -> g.output(false, x)[0].close();
        }
        MultiLayerNetwork net = new MultiLayerNetwork(c.model().equals("lenet5") ? lenet5(c) : vggSmall(c));
        net.init();
        return c.train() ? () -> net.fit(batch) : () -> net.output(x, false).close();
    }

    private static NeuralNetConfiguration.Builder base() {
        return new NeuralNetConfiguration.Builder().seed(Bench.SEED).dataType(DataType.FLOAT)
                .optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT)
                .updater(new Nesterovs(Bench.LEARNING_RATE, 0.9)).weightInit(WeightInit.RELU);
    }

    private static ConvolutionLayer conv(int out, int k, int stride, int pad, boolean bias, Activation act) {
        return new ConvolutionLayer.Builder(k, k).nOut(out).stride(stride, stride).padding(pad, pad).hasBias(bias).activation(act).build();
    }

    private static SubsamplingLayer maxPool() {
        return new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build();
    }

    private static OutputLayer output(int classes) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes).activation(Activation.SOFTMAX).build();
    }

    static MultiLayerConfiguration lenet5(BenchCase c) {
        return base().list()
                .layer(conv(6, 5, 1, 2, true, Activation.RELU)).layer(maxPool())
                .layer(conv(16, 5, 1, 0, true, Activation.RELU)).layer(maxPool())
                .layer(new DenseLayer.Builder().nOut(120).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(84).activation(Activation.RELU).build())
                .layer(output(c.classes()))
                .setInputType(InputType.convolutional(c.height(), c.width(), c.channels()))
                .build();
    }

    static MultiLayerConfiguration vggSmall(BenchCase c) {
        return base().list()
                .layer(conv(32, 3, 1, 1, true, Activation.IDENTITY)).layer(new BatchNormalization.Builder().build()).layer(relu())
                .layer(conv(32, 3, 1, 1, true, Activation.IDENTITY)).layer(new BatchNormalization.Builder().build()).layer(relu())
                .layer(maxPool())
                .layer(conv(64, 3, 1, 1, true, Activation.IDENTITY)).layer(new BatchNormalization.Builder().build()).layer(relu())
                .layer(conv(64, 3, 1, 1, true, Activation.IDENTITY)).layer(new BatchNormalization.Builder().build()).layer(relu())
                .layer(maxPool())
                .layer(new DenseLayer.Builder().nOut(256).activation(Activation.RELU).build())
                .layer(output(c.classes()))
                .setInputType(InputType.convolutional(c.height(), c.width(), c.channels()))
                .build();
    }

    private static ActivationLayer relu() {
        return new ActivationLayer.Builder().activation(Activation.RELU).build();
    }

    // CIFAR ResNet-20 with 1x1 conv + BN projection shortcuts where it downsamples
    static ComputationGraphConfiguration resnet20(BenchCase c) {
        ComputationGraphConfiguration.GraphBuilder g = base().graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(c.height(), c.width(), c.channels()));
        g.addLayer("conv1", conv(16, 3, 1, 1, false, Activation.IDENTITY), "in")
                .addLayer("bn1", new BatchNormalization.Builder().build(), "conv1")
                .addLayer("relu1", relu(), "bn1");
        String prev = "relu1";
        int in = 16, stage = 0;
        for (int planes : new int[] {16, 32, 64}) {
            stage++;
            for (int b = 0; b < 3; b++) {
                int stride = b == 0 && planes > 16 ? 2 : 1;
                String n = "layer" + stage + "." + b;
                g.addLayer(n + ".conv1", conv(planes, 3, stride, 1, false, Activation.IDENTITY), prev)
                        .addLayer(n + ".bn1", new BatchNormalization.Builder().build(), n + ".conv1")
                        .addLayer(n + ".relu1", relu(), n + ".bn1")
                        .addLayer(n + ".conv2", conv(planes, 3, 1, 1, false, Activation.IDENTITY), n + ".relu1")
                        .addLayer(n + ".bn2", new BatchNormalization.Builder().build(), n + ".conv2");
                String shortcut = prev;
                if (stride != 1 || in != planes) {
                    g.addLayer(n + ".down", conv(planes, 1, stride, 0, false, Activation.IDENTITY), prev)
                            .addLayer(n + ".downbn", new BatchNormalization.Builder().build(), n + ".down");
                    shortcut = n + ".downbn";
                }
                g.addVertex(n + ".add", new ElementWiseVertex(ElementWiseVertex.Op.Add), n + ".bn2", shortcut)
                        .addLayer(n + ".relu", relu(), n + ".add");
                prev = n + ".relu";
                in = planes;
            }
        }
        g.addLayer("avgpool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), prev)
                .addLayer("fc", output(c.classes()), "avgpool")
                .setOutputs("fc");
        return g.build();
    }
}
