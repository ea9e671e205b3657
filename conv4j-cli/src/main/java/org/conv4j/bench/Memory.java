package org.conv4j.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak memory of a case: the Java heap and the process's resident set.
 *
 * <ul>
 *   <li>Peak heap: the sum over the heap memory pools (eden, survivor, old) of each pool's peak
 *       used bytes since {@link #resetPeaks}. The pools may peak at different moments, so this is
 *       an upper bound of the true peak; it counts garbage not yet collected, as the JVM must.
 *   <li>Peak resident memory: {@code VmHWM} of {@code /proc/self/status}, the kernel's high-water
 *       mark of the resident set, which covers the heap, the JIT, thread stacks and any native
 *       memory (the peers' libtorch or nd4j buffers alike). {@link #resetPeaks} writes 5 to
 *       {@code /proc/self/clear_refs}, which resets it to the current resident size; a JVM does not
 *       give back a heap it grew for an earlier case, so {@code bench/compare.sh} runs each model
 *       and mode in its own process ({@code --mode}), every runner alike: an inference row would
 *       otherwise report the heap its model's training grew.
 * </ul>
 */
public final class Memory {
    private Memory() {
    }

    /** Collects garbage, then starts the peaks afresh. */
    public static void resetPeaks() {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) pool.resetPeakUsage();
        }
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // not Linux, or not allowed: VmHWM then covers the whole process lifetime
        }
    }

    /** The sum of the heap pools' peak used bytes since the last reset. */
    public static long peakHeapBytes() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) sum += pool.getPeakUsage().getUsed();
        }
        return sum;
    }

    /** VmHWM in bytes, or -1 where /proc/self/status is not readable. */
    public static long peakResidentBytes() {
        try {
            return statusKb(Files.readString(Path.of("/proc/self/status")), "VmHWM") * 1024;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The value in kB of a line such as {@code "VmHWM:	  123456 kB"} in /proc/[pid]/status text. */
    public static long statusKb(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key + ":")) {
                String[] f = line.substring(key.length() + 1).trim().split("\\s+");
                if (f.length == 2 && f[1].equals("kB")) return Long.parseLong(f[0]);
                throw new IllegalArgumentException("Memory: expected '" + key + ": N kB', got '" + line + "'");
            }
        }
        throw new IllegalArgumentException("Memory: no " + key + " line in /proc/self/status");
    }
}
