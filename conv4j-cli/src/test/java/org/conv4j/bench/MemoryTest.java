package org.conv4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MemoryTest {
    static final String STATUS = "Name:\tjava\nVmPeak:\t 9000000 kB\nVmHWM:\t  123456 kB\nVmRSS:\t  100000 kB\nThreads:\t20\n";

    @Test
    void readsKilobyteLinesOfProcStatus() {
        assertEquals(123456, Memory.statusKb(STATUS, "VmHWM"));
        assertEquals(100000, Memory.statusKb(STATUS, "VmRSS"));
    }

    @Test
    void missingOrOddLinesAreRejected() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Memory.statusKb(STATUS, "VmSwap")).getMessage()
                .contains("no VmSwap line"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Memory.statusKb(STATUS, "Threads")).getMessage()
                .contains("expected 'Threads: N kB'"));
    }

    @Test
    void peaksCoverAnAllocationMadeAfterTheReset() {
        Memory.resetPeaks();
        long before = Memory.peakHeapBytes();
        float[] big = new float[16 << 20]; // 64 MiB
        big[big.length - 1] = 1;
        long after = Memory.peakHeapBytes();
        assertTrue(after >= before && after >= 64L << 20, "peak heap " + after + " covers the 64 MiB array " + big[big.length - 1]);
        if (java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/self/status"))) {
            assertTrue(Memory.peakResidentBytes() > 0);
        }
    }
}
