package org.conv4j.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.conv4j.io.AtomicFiles;

/**
 * The per-epoch figures ({@link EpochResult#columns()}) as CSV ({@code .csv}) or JSON lines (any
 * other extension, e.g. {@code .jsonl}). The whole history is rewritten atomically after each
 * epoch, so a resumed run's log holds exactly the epochs of its checkpoint and the ones after it.
 */
public final class MetricsLog implements TrainingListener {
    private final Path file;
    private final boolean csv;

    public MetricsLog(Path file) {
        this.file = file;
        this.csv = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv");
    }

    public Path file() {
        return file;
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochResult result) throws IOException {
        write(trainer.history());
    }

    public void write(List<EpochResult> history) throws IOException {
        StringBuilder sb = new StringBuilder();
        if (csv && !history.isEmpty()) sb.append(String.join(",", history.get(0).columns())).append('\n');
        for (EpochResult r : history) {
            double[] v = r.values();
            List<String> columns = r.columns();
            if (!csv) sb.append('{');
            for (int i = 0; i < v.length; i++) {
                if (i > 0) sb.append(csv ? "," : ", ");
                if (!csv) sb.append('"').append(columns.get(i)).append("\": ");
                sb.append(format(v[i], i == 0, csv));
            }
            sb.append(csv ? "\n" : "}\n");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String format(double v, boolean integer, boolean csv) {
        if (Double.isNaN(v)) return csv ? "" : "null";
        if (integer) return Long.toString((long) v);
        return Double.isFinite(v) ? Double.toString(v) : (csv ? Double.toString(v) : "null");
    }
}
