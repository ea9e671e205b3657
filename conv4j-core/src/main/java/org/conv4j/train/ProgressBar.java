package org.conv4j.train;

import java.io.PrintStream;

/**
 * Training progress: on a terminal a bar redrawn in place ({@code \r}); in a log (no console)
 * one plain line per epoch, so log files stay readable.
 */
public final class ProgressBar {
    private static final int WIDTH = 24;
    private final PrintStream out;
    private final boolean inPlace;
    private long lastDraw;

    public ProgressBar(PrintStream out, boolean inPlace) {
        this.out = out;
        this.inPlace = inPlace;
    }

    /** Redraws in place on a terminal, at most ten times a second. */
    public void update(int epoch, int epochs, int done, int total, double loss, double accuracy, double imagesPerSecond) {
        if (!inPlace) return;
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 100_000_000L) return;
        lastDraw = now;
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        out.printf("\repoch %d/%d [%s%s] %d/%d loss %.4f acc %.2f%% %.0f img/s   ", epoch, epochs,
                "=".repeat(filled), " ".repeat(WIDTH - filled), done, total, loss, 100 * accuracy, imagesPerSecond);
        out.flush();
    }

    /** Ends the epoch's line with its summary. */
    public void finish(String summary) {
        if (inPlace) out.print("\r\033[K");
        out.println(summary);
        out.flush();
    }
}
