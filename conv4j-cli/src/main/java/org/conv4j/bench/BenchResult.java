package org.conv4j.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One measured row: a model case (images/s and GFLOP/s), a GEMM size or the FMA peak (GFLOP/s
 * only), with the fraction of the machine's FMA peak, peak memory and the repeat bookkeeping. {@link #toMap}
 * gives the plain-keyed JSON object every runner prints, one per line.
 *
 * @param framework     "conv4j", "pytorch", "dl4j" or "numpy"
 * @param name          the case ("lenet5", "vgg-small", "resnet20"), "gemm" or "peak"
 * @param mode          "train" or "infer", the GEMM size's name, or the peak's "fma-Nt" (N threads)
 * @param batch         images per step (0 for GEMM)
 * @param gemm          the GEMM size, or null for a model case
 * @param imagesPerSecond images/s of the kept repeats (null for GEMM)
 * @param gflops        achieved GFLOP/s of the kept repeats
 * @param peakFraction  median GFLOP/s over the machine's FMA peak ({@link FmaPeak}) (NaN when no peak was measured)
 * @param peakHeapBytes see {@link Memory#peakHeapBytes} (-1 when not measured)
 * @param peakRssBytes  see {@link Memory#peakResidentBytes} (-1 when not measured)
 * @param timing        the timing result: kept rates, steps per repeat, discarded and busy repeats
 */
public record BenchResult(String framework, String name, String mode, int batch, GemmShape gemm,
                          Stats imagesPerSecond, Stats gflops, double peakFraction,
                          long peakHeapBytes, long peakRssBytes, Timing.Result timing) {

    /** Milliseconds per step at the median rate (the latency for batch 1); NaN for GEMM. */
    public double msPerBatch() {
        return imagesPerSecond == null ? Double.NaN : 1000.0 * batch / imagesPerSecond.median();
    }

    /** The plain-keyed JSON object: framework, case, mode, batch, images_per_s(_min/_max), ms_per_batch, gflops(_min/_max), peak_fraction, memory and repeats. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("record", "result");
        m.put("framework", framework);
        m.put("case", name);
        m.put("mode", mode);
        m.put("batch", (long) batch);
        if (gemm != null) {
            m.put("m", (long) gemm.m());
            m.put("n", (long) gemm.n());
            m.put("k", (long) gemm.k());
            m.put("trans_a", gemm.transA());
            m.put("trans_b", gemm.transB());
        }
        if (imagesPerSecond != null) {
            m.put("images_per_s", imagesPerSecond.median());
            m.put("images_per_s_min", imagesPerSecond.min());
            m.put("images_per_s_max", imagesPerSecond.max());
            m.put("ms_per_batch", msPerBatch());
        }
        m.put("gflops", gflops.median());
        m.put("gflops_min", gflops.min());
        m.put("gflops_max", gflops.max());
        if (Double.isFinite(peakFraction)) m.put("peak_fraction", peakFraction);
        m.put("peak_heap_bytes", peakHeapBytes);
        m.put("peak_rss_bytes", peakRssBytes);
        m.put("repeats", (long) timing.rate().count());
        m.put("steps_per_repeat", (long) timing.iterations());
        m.put("discarded", (long) timing.discarded());
        m.put("busy_kept", (long) timing.busyKept());
        return m;
    }
}
