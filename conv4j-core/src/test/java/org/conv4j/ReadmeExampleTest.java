package org.conv4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.conv4j.data.DataLoader;
import org.conv4j.data.Dataset;
import org.conv4j.data.Mnist;
import org.conv4j.data.Split;
import org.conv4j.io.ModelFile;
import org.conv4j.nn.Conv2d;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.Init;
import org.conv4j.nn.Linear;
import org.conv4j.nn.MaxPool2d;
import org.conv4j.nn.ReLU;
import org.conv4j.nn.Sequential;
import org.conv4j.optim.Adam;
import org.conv4j.train.Evaluation;
import org.conv4j.train.Evaluator;
import org.conv4j.train.Trainer;
import org.junit.jupiter.api.Test;

/** The README's library example, compiled and run here; the README must show exactly this code. */
class ReadmeExampleTest {

    @Test
    void theExampleRunsAndTrains() throws Exception {
        // example:start
        Init.seed(42);
        Sequential lenet = new Sequential(
                new Conv2d(1, 6, 5).padding(2), new ReLU(), new MaxPool2d(2),
                new Conv2d(6, 16, 5), new ReLU(), new MaxPool2d(2),
                new Flatten(),
                new Linear(16 * 5 * 5, 120), new ReLU(),
                new Linear(120, 84), new ReLU(),
                new Linear(84, 10));

        Dataset train = Mnist.load(Path.of("data/mnist-sample"), Split.TRAIN);
        Dataset test = Mnist.load(Path.of("data/mnist-sample"), Split.TEST);
        DataLoader batches = new DataLoader(train, 64).shuffle(true).seed(42);

        Trainer trainer = new Trainer(lenet, new Adam(lenet, 0.002)).epochs(2);
        trainer.fit(batches, null);

        Evaluation result = Evaluator.evaluate(lenet, new DataLoader(test, 256), 5);
        System.out.printf("test accuracy %.2f%%%n", 100 * result.accuracy());
        ModelFile.save(lenet, Path.of("runs/lenet5.safetensors"));
        // example:end
        assertTrue(result.accuracy() > 0.9, "two epochs reach over 90%, got " + result.accuracy());
        assertEquals(1000, result.count());
        assertTrue(Files.size(Path.of("runs/lenet5.safetensors")) > 61_706 * 4);
    }

    @Test
    void theReadmeShowsExactlyTheCodeAbove() throws Exception {
        List<String> readme = Files.readAllLines(Path.of("README.md"));
        List<String> source = Files.readAllLines(Path.of("conv4j-core/src/test/java/org/conv4j/ReadmeExampleTest.java"));
        assertEquals(between(source, "// example:start", "// example:end"),
                between(readme, "<!-- example:start -->", "<!-- example:end -->").stream()
                        .filter(l -> !l.startsWith("```")).toList());
    }

    /** The lines strictly between two marker lines, with their common indentation removed. */
    private static List<String> between(List<String> lines, String start, String end) {
        int from = -1, to = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).trim().equals(start)) from = i + 1;
            else if (lines.get(i).trim().equals(end)) to = i;
        }
        assertTrue(from > 0 && to >= from, "markers " + start + " / " + end + " not found");
        List<String> block = lines.subList(from, to);
        int indent = block.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return block.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList();
    }
}
