package org.conv4j.examples;

import java.io.IOException;
import java.nio.file.Path;
import org.conv4j.data.DataLoader;
import org.conv4j.data.Dataset;
import org.conv4j.data.Mnist;
import org.conv4j.data.Split;
import org.conv4j.nn.Init;
import org.conv4j.nn.Sequential;
import org.conv4j.optim.Adam;
import org.conv4j.train.Evaluation;
import org.conv4j.train.Evaluator;
import org.conv4j.train.Trainer;
import org.conv4j.zoo.LeNet5;

/** Trains LeNet-5 from the model zoo on an MNIST folder and prints its accuracy on the test split. */
public final class TrainLeNet5 {
    private TrainLeNet5() {
    }

    /** Arguments: [MNIST_DIR (default ../data/mnist-sample)] [EPOCHS (default 2)]. */
    public static void main(String[] args) {
        if (args.length > 2) {
            System.err.println("usage: TrainLeNet5 [MNIST_DIR] [EPOCHS]; got " + args.length + " arguments");
            System.exit(2);
        }
        Path data = Path.of(args.length > 0 ? args[0] : "../data/mnist-sample");
        int epochs = args.length > 1 ? epochs(args[1]) : 2;
        try {
            Evaluation result = train(data, epochs);
            System.out.printf("LeNet-5, %d epoch%s: test accuracy %.2f%% on %d images%n",
                    epochs, epochs == 1 ? "" : "s", 100 * result.accuracy(), result.count());
        } catch (IOException e) {
            System.err.println("TrainLeNet5: " + e.getMessage());
            System.exit(1);
        }
    }

    /** A seeded LeNet-5 trained for {@code epochs} on the training split of {@code data}, evaluated on its test split. */
    public static Evaluation train(Path data, int epochs) throws IOException {
        Init.seed(42);
        Sequential lenet = LeNet5.build(1, 28, 28, 10);
        Dataset train = Mnist.load(data, Split.TRAIN);
        Dataset test = Mnist.load(data, Split.TEST);
        new Trainer(lenet, new Adam(lenet, 0.002)).epochs(epochs)
                .fit(new DataLoader(train, 64).shuffle(true).seed(42), null);
        return Evaluator.evaluate(lenet, new DataLoader(test, 256), 5);
    }

    private static int epochs(String text) {
        try {
            int n = Integer.parseInt(text);
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // reported below, with what was expected
        }
        System.err.println("TrainLeNet5: EPOCHS must be a positive whole number, got '" + text + "'");
        System.exit(2);
        return 0;
    }
}
