package org.conv4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CpuSampleTest {
    // the first lines of a real /proc/stat (user nice system idle iowait irq softirq steal guest guest_nice)
    static final String PROC_STAT = "cpu  1000 20 300 5000 40 5 6 7 0 0\ncpu0 500 10 150 2500 20 2 3 3 0 0\n"
            + "cpu1 500 10 150 2500 20 3 3 4 0 0\nintr 12345\nctxt 678\n";
    // a /proc/self/stat whose command name holds a space and a parenthesis; utime 111, stime 22
    static final String SELF_STAT = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 111 22 0 0 20 0 30 0 999 1000 200";

    @Test
    void parsesBusyIdleAndOwnTicks() {
        CpuSample s = CpuSample.parse(PROC_STAT, SELF_STAT);
        assertEquals(1000 + 20 + 300 + 5 + 6 + 7, s.busyTicks()); // user nice system irq softirq steal
        assertEquals(5000 + 40, s.idleTicks());                   // idle iowait
        assertEquals(111 + 22, s.selfTicks());                    // utime stime
    }

    @Test
    void otherLoadIsTheShareOfTheMachineOtherProcessesUsed() {
        // 200 ticks elapsed over all cores; the machine was busy 120 of them, 90 of which were ours
        CpuSample before = new CpuSample(1000, 5000, 300);
        CpuSample after = new CpuSample(1120, 5080, 390);
        assertEquals(30.0 / 200, CpuSample.otherLoad(before, after), 1e-12);
    }

    @Test
    void aQuietMachineHasNoOtherLoad() {
        // we used everything that was busy
        assertEquals(0, CpuSample.otherLoad(new CpuSample(0, 0, 0), new CpuSample(150, 50, 150)));
    }

    @Test
    void otherLoadIsClampedAndZeroWhenUnknown() {
        // our own ticks can run ahead of the machine's by a tick of rounding
        assertEquals(0, CpuSample.otherLoad(new CpuSample(0, 0, 0), new CpuSample(100, 100, 103)));
        assertEquals(1, CpuSample.otherLoad(new CpuSample(0, 0, 0), new CpuSample(200, 0, 0)));
        assertEquals(0, CpuSample.otherLoad(null, new CpuSample(1, 1, 1)));
        assertEquals(0, CpuSample.otherLoad(new CpuSample(5, 5, 5), new CpuSample(5, 5, 5)));
    }

    @Test
    void malformedTextIsRejected() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CpuSample.parse("intr 1\n", SELF_STAT)).getMessage()
                .contains("no 'cpu' line"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CpuSample.parse(PROC_STAT, "4242 java S 1")).getMessage()
                .contains("malformed /proc/self/stat"));
    }

    @Test
    void readsThisMachinesCountersWhereThereIsProc() {
        if (!java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/stat"))) return;
        CpuSample a = CpuSample.read();
        assertNotNull(a);
        long spin = 0;
        for (long i = 0; i < 20_000_000L; i++) spin += i ^ (spin >>> 3);
        CpuSample b = CpuSample.read();
        assertTrue(b.selfTicks() >= a.selfTicks() && b.busyTicks() >= a.busyTicks(), "counters only grow " + spin);
        double load = CpuSample.otherLoad(a, b);
        assertTrue(load >= 0 && load <= 1, "load " + load);
    }
}
