package org.conv4j.hostile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.conv4j.io.Json;
import org.conv4j.io.ModelFile;
import org.conv4j.io.SafeTensors;

/** Model files rewritten the way an attacker would: a new header over the same data. */
final class HostileFiles {
    private HostileFiles() {
    }

    /** {@code src} with its architecture replaced by {@code architecture}, written to {@code dst}. */
    @SuppressWarnings("unchecked")
    static Path withArchitecture(Path src, String architecture, Path dst) throws IOException {
        byte[] file = Files.readAllBytes(src);
        Map<String, Object> header = header(file);
        ((Map<String, Object>) header.get(SafeTensors.METADATA_KEY)).put(ModelFile.ARCHITECTURE_KEY, architecture);
        Files.write(dst, withHeader(file, Json.write(header).getBytes(StandardCharsets.UTF_8)));
        return dst;
    }

    /** The header of a safetensors file's bytes. */
    static Map<String, Object> header(byte[] file) {
        int n = (int) ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return Json.parseObject(new String(file, 8, n, StandardCharsets.UTF_8));
    }

    /** The file's bytes with the header replaced (padded with spaces to 8 bytes), the data kept. */
    static byte[] withHeader(byte[] file, byte[] header) {
        int n = (int) ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        int padded = (header.length + 7) / 8 * 8;
        byte[] h = Arrays.copyOf(header, padded);
        Arrays.fill(h, header.length, padded, (byte) ' ');
        ByteBuffer out = ByteBuffer.allocate(8 + padded + file.length - 8 - n).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(h).put(file, 8 + n, file.length - 8 - n);
        return out.array();
    }
}
