package org.conv4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.conv4j.data.DatasetCatalog;
import org.conv4j.data.Downloader;
import org.conv4j.io.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;

/** {@code conv4j download NAME}: the one place conv4j reaches the network, and only when asked. */
@Command(name = "download", mixinStandardHelpOptions = true,
        description = {"Downloads a data set (mnist, fashion-mnist or cifar-10) into ~/.conv4j/datasets/NAME.",
                "Each file's SHA-256 is verified; an interrupted download resumes where it stopped.",
                "CIFAR-10's archive is unpacked there. A failure says how to place the files by hand."})
final class DownloadCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "mnist, fashion-mnist or cifar-10.")
    String name;

    @Mixin
    JsonOption json;

    @Mixin
    VerboseOption verbose;

    @Override
    public Integer call() throws IOException {
        DatasetCatalog catalog = new DatasetCatalog();
        if (!catalog.names().contains(name)) throw new Main.UsageError("unknown data set '" + name + "'; known: " + String.join(", ", catalog.names()));
        var out = spec.commandLine().getOut();
        var log = json.json ? spec.commandLine().getErr() : out; // with --json, stdout holds only the JSON
        Path dir = catalog.download(name, new Downloader().log(m -> {
            log.println(m);
            log.flush();
        }));
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("data", name);
        done.put("dir", dir.toString());
        out.println(json.json ? Json.write(done) : name + " is ready in " + dir);
        out.flush();
        return 0;
    }
}
