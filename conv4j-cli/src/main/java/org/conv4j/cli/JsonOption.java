package org.conv4j.cli;

import picocli.CommandLine.Option;

/** {@code --json}, shared by every command that prints results. */
final class JsonOption {
    static final String DESCRIPTION = "Print the results as JSON (snake_case keys, shapes as arrays of integers).";

    @Option(names = "--json", description = DESCRIPTION)
    boolean json;
}
