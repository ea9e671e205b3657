package org.conv4j.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code conv4j} command: one sub-command per job, a clear one-line error on bad input. */
@Command(name = "conv4j", mixinStandardHelpOptions = true, version = "conv4j 0.1.0",
        description = "Convolutional neural networks on the JVM: train, evaluate, inspect and run CNNs.",
        subcommands = {CommandLine.HelpCommand.class, TrainCommand.class, EvalCommand.class, PredictCommand.class,
                SummaryCommand.class, GradcheckCommand.class, DownloadCommand.class, FilterCommand.class,
                VisualizeCommand.class, ReportCommand.class, BenchCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns the exit code; used by main and by the tests. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (verbose) ex.printStackTrace(err);
            err.println("conv4j " + commandLine.getCommandName() + ": " + message(ex));
            err.flush();
            return ex instanceof UsageError ? 2 : 1;
        });
        cli.setParameterExceptionHandler((ex, args1) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("conv4j " + c.getCommandName() + ": " + ex.getMessage());
            c.getErr().println("Try 'conv4j " + (c == cli ? "" : c.getCommandName() + " ") + "--help' for more information.");
            c.getErr().flush();
            return 2;
        });
        return cli.execute(args);
    }

    private static String message(Throwable ex) {
        String m = ex.getMessage();
        if (ex instanceof java.nio.file.NoSuchFileException) return "no such file: " + m;
        if (ex instanceof java.nio.file.AccessDeniedException) return "permission denied: " + m;
        if (ex instanceof OutOfMemoryError) return "out of memory (raise -Xmx through JAVA_OPTS): " + m;
        return m == null || m.isBlank() ? ex.getClass().getSimpleName() : m;
    }

    /** A bad flag value or argument found while running: exit code 2, like a parse error. */
    static final class UsageError extends RuntimeException {
        UsageError(String message) {
            super(message);
        }
    }
}
