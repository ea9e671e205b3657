package org.conv4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time counters at one instant, for the busy-machine guard: the whole machine's busy and idle
 * time from {@code /proc/stat}'s first ("cpu") line and this process's own user + system time from
 * {@code /proc/self/stat} (fields 14 and 15), all in clock ticks (USER_HZ).
 *
 * <p>Busy time is {@code user + nice + system + irq + softirq + steal} (steal counts: the
 * hypervisor gave the time to someone else); idle is {@code idle + iowait}. Between two samples,
 * the share of the machine that <em>other</em> processes used is
 * <pre>
 *   other = (dBusy - dSelf) / (dBusy + dIdle)       clamped to [0, 1]
 * </pre>
 * where 1 means every core was busy with other work for the whole interval. With ticks of 10 ms
 * the estimate is coarse for short intervals, which is why a timed repeat lasts about half a
 * second or more.
 */
public record CpuSample(long busyTicks, long idleTicks, long selfTicks) {

    /** The counters now, or null where /proc is not readable (not Linux): the guard is then off. */
    public static CpuSample read() {
        try {
            return parse(Files.readString(Path.of("/proc/stat")), Files.readString(Path.of("/proc/self/stat")));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Parses the text of /proc/stat and /proc/[pid]/stat. */
    public static CpuSample parse(String procStat, String selfStat) {
        String line = procStat.lines().filter(l -> l.startsWith("cpu ")).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("CpuSample: no 'cpu' line in /proc/stat"));
        String[] f = line.trim().split("\\s+");
        if (f.length < 8) throw new IllegalArgumentException("CpuSample: expected at least 7 counters on /proc/stat's cpu line, got " + (f.length - 1));
        long user = Long.parseLong(f[1]), nice = Long.parseLong(f[2]), system = Long.parseLong(f[3]);
        long idle = Long.parseLong(f[4]), iowait = Long.parseLong(f[5]), irq = Long.parseLong(f[6]), softirq = Long.parseLong(f[7]);
        long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
        // the command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'
        int close = selfStat.lastIndexOf(')');
        if (close < 0) throw new IllegalArgumentException("CpuSample: malformed /proc/self/stat");
        String[] s = selfStat.substring(close + 1).trim().split("\\s+");
        if (s.length < 13) throw new IllegalArgumentException("CpuSample: /proc/self/stat has too few fields");
        long utime = Long.parseLong(s[11]), stime = Long.parseLong(s[12]); // fields 14 and 15 overall
        return new CpuSample(user + nice + system + irq + softirq + steal, idle + iowait, utime + stime);
    }

    /** The share of the whole machine (0..1) that other processes used between {@code before} and {@code after}; 0 when unknown. */
    public static double otherLoad(CpuSample before, CpuSample after) {
        if (before == null || after == null) return 0;
        long busy = after.busyTicks - before.busyTicks, idle = after.idleTicks - before.idleTicks;
        long self = after.selfTicks - before.selfTicks;
        long total = busy + idle;
        if (total <= 0) return 0;
        double other = (double) (busy - self) / total;
        return Math.max(0, Math.min(1, other));
    }
}
