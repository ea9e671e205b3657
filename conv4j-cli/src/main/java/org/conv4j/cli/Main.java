package org.conv4j.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.conv4j.kernel.Parallel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code conv4j} command: one sub-command per job. An error is one line on stderr, the program
 * name once ({@code conv4j train: ...}), with exit code 2 for bad input and 1 for a failure;
 * {@code --verbose} adds the stack trace.
 */
@Command(name = "conv4j", mixinStandardHelpOptions = true, version = "conv4j 0.1.0",
        description = "Convolutional neural networks on the JVM: train, evaluate, inspect and run CNNs.",
        subcommands = {CommandLine.HelpCommand.class, TrainCommand.class, EvalCommand.class, PredictCommand.class,
                SummaryCommand.class, GradcheckCommand.class, DownloadCommand.class, FilterCommand.class,
                VisualizeCommand.class, ReportCommand.class, BenchCommand.class,
                ImportCommand.class, ExportCommand.class, ImportWeightsCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns the exit code; help is as wide as $COLUMNS says, else the terminal. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, System.getenv("COLUMNS"));
    }

    /** Runs the command line with help texts {@code columns} wide (null or not a number: the terminal's width). */
    static int run(String[] args, PrintWriter out, PrintWriter err, String columns) {
        boolean verbose = Arrays.asList(args).contains("--verbose");
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        HelpLayout.install(cli);
        Integer width = columns == null || !columns.trim().matches("[0-9]{1,4}") ? null : Integer.valueOf(columns.trim());
        if (width != null) cli.setUsageHelpWidth(Math.max(55, width)); // picocli's minimum
        else cli.setUsageHelpAutoWidth(true);
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (verbose) ex.printStackTrace(err);
            err.println(commandLine.getCommandSpec().qualifiedName() + ": " + message(ex));
            err.flush();
            return ex instanceof UsageError ? 2 : 1;
        });
        cli.setParameterExceptionHandler((ex, given) -> {
            CommandLine c = ex.getCommandLine();
            err.println(c.getCommandSpec().qualifiedName() + ": " + parseError(ex));
            err.flush();
            return 2;
        });
        int threads = Parallel.threads(); // --threads lasts one command (the tests run many in one JVM)
        try {
            return cli.execute(args);
        } finally {
            Parallel.setThreads(threads);
        }
    }

    /** A parse error as one line: a mistyped command or option with the closest valid names. */
    private static String parseError(ParameterException ex) {
        CommandLine c = ex.getCommandLine();
        String help = "see '" + c.getCommandSpec().qualifiedName() + " --help'";
        // picocli checks the required options first; a mistyped option is the more useful news
        List<String> unmatched = ex instanceof UnmatchedArgumentException u ? u.getUnmatched() : c.getUnmatchedArguments();
        if (!unmatched.isEmpty() && (ex instanceof UnmatchedArgumentException || unmatched.get(0).startsWith("-"))) {
            String typed = unmatched.get(0);
            if (typed.startsWith("-")) {
                String name = typed.contains("=") ? typed.substring(0, typed.indexOf('=')) : typed;
                return "unknown option '" + name + "'; " + didYouMean(name, c.getCommandSpec().optionsMap().keySet(), help);
            }
            if (!c.getSubcommands().isEmpty()) {
                return "unknown command '" + typed + "'; " + didYouMean(typed, c.getSubcommands().keySet(), help);
            }
            return "unexpected argument '" + typed + "'" + (unmatched.size() > 1 ? " (and " + (unmatched.size() - 1) + " more)" : "") + "; " + help;
        }
        if (ex instanceof MissingParameterException m) {
            List<String> missing = new ArrayList<>();
            for (ArgSpec a : m.getMissing()) missing.add(a instanceof OptionSpec o ? HelpLayout.name(o) + "=" + o.paramLabel() : a.paramLabel());
            return "missing " + String.join(", ", missing) + "; " + help;
        }
        java.util.regex.Matcher helpFor = java.util.regex.Pattern.compile("Unknown subcommand '(.*)'\\.").matcher(ex.getMessage());
        if (helpFor.matches()) { // from 'conv4j help NAME'
            return "unknown command '" + helpFor.group(1) + "'; " + didYouMean(helpFor.group(1), c.getSubcommands().keySet(), help);
        }
        return ex.getMessage() + "; " + help;
    }

    private static String didYouMean(String typed, java.util.Collection<String> valid, String help) {
        List<String> close = Suggestions.closest(typed, valid);
        return close.isEmpty() ? help : "did you mean " + String.join(" or ", close) + "?";
    }

    private static String message(Throwable ex) {
        String m = ex.getMessage();
        if (ex instanceof java.nio.file.NoSuchFileException) return "no such file: " + m;
        if (ex instanceof java.nio.file.AccessDeniedException) return "permission denied: " + m;
        if (ex instanceof java.nio.file.FileAlreadyExistsException) return m + " already exists and is not a directory";
        if (ex instanceof java.nio.file.NotDirectoryException) return "not a directory: " + m;
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
