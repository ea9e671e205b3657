package org.conv4j.train;

import java.io.PrintStream;
import java.util.Map;

/**
 * Training progress with an ETA: on a terminal a bar redrawn in place ({@code \r}) with the
 * running loss and metrics and the time left in the epoch; in a log (no console) one plain line
 * per epoch with the time left in the run, so log files stay readable. Every epoch ends with
 * its summary line, marked {@code *} when the monitored figure improved.
 */
public final class ProgressBar implements TrainingListener {
    private static final int WIDTH = 24;
    private final PrintStream out;
    private final boolean inPlace;
    private long lastDraw, epochStart;
    private long samples;
    private double fitSeconds;
    private int fitEpochs;

    public ProgressBar(PrintStream out, boolean inPlace) {
        if (out == null) throw new IllegalArgumentException("ProgressBar: expected a PrintStream, got null");
        this.out = out;
        this.inPlace = inPlace;
    }

    @Override
    public void onFitStart(Trainer trainer) {
        fitSeconds = 0;
        fitEpochs = 0;
    }

    @Override
    public void onEpochStart(Trainer trainer, int epoch) {
        epochStart = System.nanoTime();
        lastDraw = 0;
        samples = 0;
    }

    /** Redraws in place on a terminal, at most ten times a second. */
    @Override
    public void onStep(Trainer trainer, Step step) {
        samples += step.batch().size();
        if (!inPlace) return;
        long now = System.nanoTime();
        int done = step.index() + 1, total = step.batches();
        if (done < total && now - lastDraw < 100_000_000L) return;
        lastDraw = now;
        double seconds = (now - epochStart) / 1e9;
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        StringBuilder sb = new StringBuilder(String.format("\repoch %d/%d [%s%s] %d/%d loss %.4f", step.epoch(), trainer.epochs(),
                "=".repeat(filled), " ".repeat(WIDTH - filled), done, total, trainer.runningLoss()));
        for (Metric m : trainer.metrics()) sb.append(' ').append(figure(m.name(), m.value()));
        sb.append(String.format(" %.0f img/s ETA %s   ", samples / seconds, duration(seconds / done * (total - done))));
        out.print(sb);
        out.flush();
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochResult r) {
        fitSeconds += r.seconds();
        fitEpochs++;
        StringBuilder sb = new StringBuilder(String.format("epoch %d/%d", r.epoch(), trainer.epochs()));
        boolean validated = !Double.isNaN(r.valLoss());
        for (Map.Entry<String, Double> f : r.figures().entrySet()) {
            String name = f.getKey();
            if (name.startsWith("train_")) sb.append("  ").append(figure(name.substring(6), f.getValue()));
            else if (validated) sb.append("  ").append(figure(name, f.getValue()));
        }
        sb.append(String.format("  lr %.3g  %.1fs  %.0f img/s", r.learningRate(), r.seconds(), r.imagesPerSecond()));
        int left = trainer.epochs() - r.epoch();
        if (left > 0) sb.append("  ETA ").append(duration(fitSeconds / fitEpochs * left));
        if (trainer.monitor().improved()) sb.append("  *");
        finish(sb.toString());
    }

    @Override
    public void onFitEnd(Trainer trainer) {
        if (trainer.stopReason() != null) finish(trainer.stopReason());
    }

    private void finish(String line) {
        if (inPlace) out.print("\r\033[K");
        out.println(line);
        out.flush();
    }

    // accuracy and top-k as percentages ("acc 97.12%", "val_top5 99.80%"), the rest as numbers
    static String figure(String name, double v) {
        String base = name.startsWith("val_") ? name.substring(4) : name;
        String label = base.equals("accuracy") ? name.replace("accuracy", "acc") : name;
        return base.equals("accuracy") || base.matches("top\\d+") ? String.format("%s %.2f%%", label, 100 * v) : String.format("%s %.4f", label, v);
    }

    /** Seconds as "m:ss" or "h:mm:ss". */
    static String duration(double seconds) {
        long s = Math.round(Math.max(0, seconds));
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
    }
}
