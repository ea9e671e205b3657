package org.conv4j.spark;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.conv4j.data.ArrayDataset;
import org.conv4j.data.Mnist;
import org.conv4j.data.Split;
import org.conv4j.nn.Init;
import org.conv4j.nn.Layer;
import org.conv4j.nn.Layers;
import org.conv4j.nn.Parameter;
import org.conv4j.zoo.LeNet5;

/** What the Spark tests share: a local Spark context, the MNIST sample, LeNet-5 and the weight comparison. */
final class SparkTests {
    static final Path MNIST = Path.of("..", "data", "mnist-sample");

    private SparkTests() {
    }

    /** A local context ("local[2]", or "local[2,3]" for 3 attempts per task) without the web UI, on the loopback address. */
    static JavaSparkContext context(String master) {
        SparkConf conf = new SparkConf().setMaster(master).setAppName("conv4j-spark-test").set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        return new JavaSparkContext(conf);
    }

    static ArrayDataset mnist(Split split) throws IOException {
        return Mnist.load(MNIST, split);
    }

    static Layer lenet(long seed) {
        Init.seed(seed);
        return LeNet5.build(1, 28, 28, 10);
    }

    /** The largest of max|a - b| / max|b| over the parameters. */
    static double relativeDifference(Layer a, Layer b) {
        Map<String, Parameter> pb = Layers.namedParameters(b);
        double worst = 0;
        for (Map.Entry<String, Parameter> e : Layers.namedParameters(a).entrySet()) {
            float[] x = e.getValue().value().data(), y = pb.get(e.getKey()).value().data();
            double diff = 0, scale = 0;
            for (int i = 0; i < x.length; i++) {
                diff = Math.max(diff, Math.abs(x[i] - y[i]));
                scale = Math.max(scale, Math.abs(y[i]));
            }
            worst = Math.max(worst, diff / scale);
        }
        return worst;
    }

    static boolean identical(Layer a, Layer b) {
        Map<String, Parameter> pb = Layers.namedParameters(b);
        for (Map.Entry<String, Parameter> e : Layers.namedParameters(a).entrySet()) {
            if (!java.util.Arrays.equals(e.getValue().value().data(), pb.get(e.getKey()).value().data())) return false;
        }
        return true;
    }

    static void assertMoved(Layer trained, long initSeed) {
        assertTrue(relativeDifference(trained, lenet(initSeed)) > 1e-2, "training changed the weights");
    }
}
