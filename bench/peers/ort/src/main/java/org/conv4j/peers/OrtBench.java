package org.conv4j.peers;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.conv4j.bench.Bench;
import org.conv4j.bench.BenchCase;
import org.conv4j.bench.PeerRunner;
import org.conv4j.tensor.Tensor;

/**
 * The inference cases in ONNX Runtime (the Java API, CPU execution provider), measured by conv4j's
 * own harness ({@link PeerRunner}): the network is the case's zoo model defined in PyTorch 1.13
 * and exported by tools/bench_onnx.py (BatchNorm folded into the convolutions by the exporter),
 * {@code lenet5.onnx}, {@code vgg-small.onnx} or {@code resnet20.onnx} in {@code -Dconv4j.onnx.dir=DIR}
 * (default {@code bench/onnx} relative to the working directory, where they are committed;
 * bench/compare.sh passes that folder's absolute path, or {@code ONNX_DIR}), run with every graph
 * optimisation (ORT_ENABLE_ALL: activations fused), sequential execution,
 * {@code --threads} intra-op threads and one inter-op thread, on the same fixed N(0, 1) batch as
 * conv4j's. The training cases are not run: ONNX Runtime's Java API here is inference only.
 */
public final class OrtBench {
    private OrtBench() {
    }

    public static void main(String[] args) throws OrtException {
        PeerRunner.Args a = PeerRunner.parse(args);
        String dir = System.getProperty("conv4j.onnx.dir", "bench/onnx");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        PeerRunner.run("ort", "ONNX Runtime " + env.getVersion() + " (Java, CPU)", a, c -> !c.train(),
                c -> step(env, Path.of(dir).resolve(c.model() + ".onnx"), c, a.threads()), System.out);
        System.exit(0);
    }

    /** Opens the case's model with all optimisations on {@code threads} threads and returns one inference of the batch. */
    static Runnable step(OrtEnvironment env, Path model, BenchCase c, int threads) {
        if (!Files.isRegularFile(model)) throw new IllegalArgumentException("OrtBench: no ONNX file for " + c.model() + " at " + model);
        try {
            OrtSession.SessionOptions o = new OrtSession.SessionOptions();
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            OrtSession session = env.createSession(model.toString(), o);
            String input = session.getInputNames().iterator().next();
            // the same batch as conv4j's step: N(0, 1) from the bench seed
            Tensor x = Tensor.randn(new SplittableRandom(Bench.SEED), 1f, c.batch(), c.channels(), c.height(), c.width());
            OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data()),
                    new long[] {c.batch(), c.channels(), c.height(), c.width()});
            Map<String, OnnxTensor> feed = Map.of(input, t);
            return () -> {
                try (OrtSession.Result r = session.run(feed)) {
                    r.get(0); // the output is computed by run; nothing is deferred
                } catch (OrtException e) {
                    throw new IllegalStateException("OrtBench: " + c.model() + ": " + e.getMessage(), e);
                }
            };
        } catch (OrtException e) {
            throw new IllegalStateException("OrtBench: " + c.model() + ": " + e.getMessage(), e);
        }
    }
}
