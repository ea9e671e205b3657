package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ./conv4j launcher keeps the JVM's "Using incubator modules" line out of what users see and
 * nothing else: run against a stand-in java (CONV4J_JAVA) that prints that line, a look-alike and
 * an error on stderr, output on stdout, and exits with a given status.
 */
class LauncherTest {
    static final String WARNING = "WARNING: Using incubator modules: jdk.incubator.vector";

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    /** A copy of the launcher with a jar it takes for fresh (so it builds nothing), run with the stand-in java. */
    private Run launch(String javaScript, String... args) throws IOException, InterruptedException {
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve("conv4j-cli/target"));
        Files.copy(Path.of(System.getProperty("conv4j.home"), "conv4j"), home.resolve("conv4j"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(home.resolve("conv4j-cli/target/conv4j.jar"), "");
        Path java = home.resolve("java");
        Files.writeString(java, "#!/usr/bin/env bash\n" + javaScript);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder pb = new ProcessBuilder("bash", home.resolve("conv4j").toString());
        pb.command().addAll(List.of(args));
        pb.environment().put("CONV4J_JAVA", java.toString());
        pb.environment().remove("JAVA_OPTS");
        pb.redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
        int code = pb.start().waitFor();
        return new Run(code, Files.readString(dir.resolve("out"), StandardCharsets.UTF_8), Files.readString(dir.resolve("err"), StandardCharsets.UTF_8));
    }

    @Test
    void dropsExactlyTheIncubatorLineAndKeepsEveryOtherLineAndTheExitStatus() throws Exception {
        Run r = launch("echo '" + WARNING + "' >&2\n"
                + "echo \"last args: ${*: -2}\"\n"
                + "echo '" + WARNING + ", and more' >&2\n"
                + "echo 'WARNING: something else' >&2\n"
                + "echo 'conv4j train: unknown option' >&2\n"
                + "echo '" + WARNING + "' >&2\n"
                + "exit 3\n", "train", "--epochs");
        assertEquals(3, r.code());
        assertEquals("last args: train --epochs\n", r.out());
        assertEquals(WARNING + ", and more\nWARNING: something else\nconv4j train: unknown option\n", r.err());
    }

    @Test
    void aQuietSuccessStaysQuiet() throws Exception {
        Run r = launch("echo '" + WARNING + "' >&2\necho 'conv4j 0.1.0'\n", "--version");
        assertEquals(0, r.code());
        assertEquals("conv4j 0.1.0\n", r.out());
        assertEquals("", r.err());
    }
}
