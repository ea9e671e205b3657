package org.conv4j.spark;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.conv4j.io.Architecture;
import org.conv4j.nn.Layer;

/**
 * The models an executor JVM keeps between steps, per architecture: a task takes one, sets the
 * step's weights into it and gives it back when it succeeds. Tasks running at once in one JVM
 * (local mode, or several cores per executor) each get their own; a failed task's model is
 * dropped, so nothing it left half-done reaches another step.
 */
final class Replicas {
    private static final Map<String, Queue<Layer>> POOLS = new ConcurrentHashMap<>();

    private Replicas() {
    }

    static Layer take(String architecture) {
        Layer model = POOLS.computeIfAbsent(architecture, a -> new ConcurrentLinkedQueue<>()).poll();
        if (model != null) return model;
        model = Architecture.fromJson(architecture);
        model.reuseBuffers(true);
        return model;
    }

    static void give(String architecture, Layer model) {
        POOLS.get(architecture).add(model);
    }
}
