package org.conv4j.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * After every epoch writes {@code last.safetensors}, and whenever the trainer's {@link Monitor}
 * improved {@code best.safetensors}, into a directory ({@link Trainer#saveCheckpoint}: model,
 * optimizer and trainer state, each file replaced atomically).
 */
public final class Checkpoints implements TrainingListener {
    public static final String LAST = "last.safetensors", BEST = "best.safetensors";
    private final Path dir;

    public Checkpoints(Path dir) {
        if (dir == null) throw new IllegalArgumentException("Checkpoints: expected a directory, got null");
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochResult result) throws IOException {
        Files.createDirectories(dir);
        trainer.saveCheckpoint(dir.resolve(LAST));
        if (trainer.monitor().improved()) trainer.saveCheckpoint(dir.resolve(BEST));
    }
}
