package org.conv4j.cli;

import picocli.CommandLine.Option;

/** {@code --verbose}, on every command; Main reads it from the arguments, so it works even when parsing fails. */
final class VerboseOption {
    @Option(names = "--verbose", description = "Print the stack trace with an error.")
    boolean verbose;
}
