package org.conv4j.data;

import java.util.Locale;
import java.util.Objects;

/**
 * A file to download: its name (relative to a base URL and to the target directory), its
 * SHA-256 (64 hex digits, checked before the file is kept) and its size in bytes (a server
 * sending more is cut off).
 */
public record RemoteFile(String name, String sha256, long size) {
    public RemoteFile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sha256, "sha256");
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new IllegalArgumentException("RemoteFile: name must be a plain file name, got '" + name + "'");
        }
        sha256 = sha256.toLowerCase(Locale.ROOT);
        if (!sha256.matches("[0-9a-f]{64}")) throw new IllegalArgumentException("RemoteFile: sha256 must be 64 hex digits, got '" + sha256 + "'");
        if (size < 1) throw new IllegalArgumentException("RemoteFile: size must be positive, got " + size);
    }
}
