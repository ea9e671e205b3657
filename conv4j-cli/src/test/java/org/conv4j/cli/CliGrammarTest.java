package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.conv4j.io.Json;
import org.conv4j.io.ModelFile;
import org.conv4j.nn.Init;
import org.conv4j.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/** One grammar for every command: the same option names for the same things, clean help, "did you mean". */
class CliGrammarTest {
    static final List<String> COMMANDS = List.of("train", "eval", "predict", "summary", "gradcheck", "download", "filter", "visualize", "report", "bench",
            "import-weights");
    static final Set<String> TAKE_A_MODEL = Set.of("eval", "predict", "summary", "visualize");
    static final Set<String> USE_A_BATCH = Set.of("train", "eval", "summary");
    static final Set<String> RUN_KERNELS = Set.of("train", "eval", "predict", "gradcheck", "filter", "visualize", "report", "bench");

    @TempDir
    Path dir;

    /** The help of {@code command} (null: the top level) at {@code columns} columns. */
    private static String help(String command, int columns) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        String[] args = command == null ? new String[] {"--help"} : new String[] {command, "--help"};
        assertEquals(0, Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true), Integer.toString(columns)), err.toString());
        return out.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"train", "eval", "predict", "summary", "gradcheck", "download", "filter", "visualize", "report", "bench",
        "import-weights"})
    void sharedOptionsHaveTheSameNames(String command) {
        String help = help(command, 100);
        assertTrue(help.startsWith("Usage: conv4j " + command + " "), help);
        assertTrue(help.contains("      --verbose "), command + " has --verbose\n" + help);
        assertTrue(help.contains("      --json "), command + " has --json\n" + help);
        assertTrue(help.contains("  -h, --help "), help);
        if (TAKE_A_MODEL.contains(command)) assertTrue(help.contains("      --model, --model-file=NAME|FILE|RUN_DIR"), command + "\n" + help);
        if (command.equals("train")) assertTrue(help.contains("      --model=NAME "), help);
        assertEquals(USE_A_BATCH.contains(command), help.contains("      --batch-size"), command + " --batch-size\n" + help);
        assertEquals(RUN_KERNELS.contains(command), help.contains("      --threads=N "), command + " --threads\n" + help);
        assertEquals(Set.of("train", "eval").contains(command), help.contains("      --data=NAME|DIR "), command + " --data\n" + help);
        assertEquals(Set.of("train", "predict", "summary", "visualize", "import-weights").contains(command), help.contains("      --input=CxHxW "), command + " --input\n" + help);
    }

    @Test
    void olderNamesStillWork() throws Exception {
        Path model = dir.resolve("lenet.safetensors");
        Init.seed(1);
        ModelFile.save(Zoo.build("lenet5", 1, 28, 28, 10), model, Map.of(), Map.of("input_shape", "1x28x28"));
        Cli summary = Cli.run("summary", "--model-file", model.toString(), "--batch", "8", "--json");
        assertEquals(0, summary.exitCode(), summary.err());
        Map<String, Object> m = Json.parseObject(summary.out().trim());
        assertEquals(8L, m.get("batch_size"));
        assertEquals(List.of(1L, 10L), m.get("output"));
        Cli zoo = Cli.run("summary", "--model", "lenet5", "--batch-size", "8", "--json");
        assertEquals(m.get("activation_bytes"), Json.parseObject(zoo.out().trim()).get("activation_bytes"));
    }

    /**
     * At 80 and 120 columns no line is wider than the terminal, and the words are those of the help at
     * 1000 columns (nothing wraps there): no line is broken inside a word ("x0." / "1", "model." / "safetensors").
     */
    @Test
    void helpWrapsAtTheWidthBetweenWords() {
        List<String> commands = new ArrayList<>(COMMANDS);
        commands.add(null);
        for (String command : commands) {
            List<String> words = List.of(help(command, 1000).trim().split("\\s+"));
            for (int columns : new int[] {80, 120}) {
                String help = help(command, columns);
                for (String line : help.split("\n")) assertTrue(line.length() <= columns, command + " at " + columns + ": " + line);
                assertEquals(words, List.of(help.trim().split("\\s+")), command + " at " + columns + "\n" + help);
            }
        }
    }

    /** Each description string is a whole paragraph (it ends a sentence): none was hard-wrapped in the source. */
    @Test
    void descriptionsAreWholeParagraphs() {
        CommandLine cli = new CommandLine(new Main());
        List<CommandSpec> specs = new ArrayList<>();
        specs.add(cli.getCommandSpec());
        for (CommandLine sub : cli.getSubcommands().values()) if (!sub.getCommandName().equals("help")) specs.add(sub.getCommandSpec());
        for (CommandSpec spec : specs) {
            List<String> texts = new ArrayList<>(List.of(spec.usageMessage().description()));
            for (ArgSpec a : spec.args()) texts.add(String.join(" ", a.description()));
            for (String t : texts) {
                assertTrue(t.isEmpty() || t.matches("(?s).*[.:)]"), spec.qualifiedName() + ": '" + t + "'");
            }
        }
    }

    @ParameterizedTest
    @CsvSource({
        "train, --epoch, --epochs",
        "eval, --batchsize, --batch-size",
        "predict, --topp, --top",
        "summary, --clases, --classes",
        "gradcheck, --tolerence, --tolerance",
        "download, --jsno, --json",
        "filter, --strid, --stride",
        "visualize, --imag, --image",
        "report, --rnu, --run",
        "bench, --repeat, --repeats",
    })
    void aMistypedOptionGetsASuggestion(String command, String typo, String meant) {
        Cli r = Cli.run(command, typo, "1");
        assertEquals(2, r.exitCode());
        assertArrayEquals(new String[] {"conv4j " + command + ": unknown option '" + typo + "'; did you mean " + meant + "?"}, r.errLines());
        assertEquals("", r.out());
    }

    @Test
    void aMistypedCommandGetsASuggestion() {
        Cli r = Cli.run("trian", "--epochs", "1");
        assertEquals(2, r.exitCode());
        assertArrayEquals(new String[] {"conv4j: unknown command 'trian'; did you mean train?"}, r.errLines());
        assertArrayEquals(new String[] {"conv4j: unknown command 'visualise'; did you mean visualize?"}, Cli.run("visualise").errLines());
        assertArrayEquals(new String[] {"conv4j: unknown command 'sumary'; did you mean summary?"}, Cli.run("help", "sumary").errLines());
        assertArrayEquals(new String[] {"conv4j eval: unknown option '--model-fle'; did you mean --model-file?"},
                Cli.run("eval", "--model-fle=x").errLines());
    }

    @Test
    void suggestionsAreTheClosestNames() {
        List<String> names = List.of("--epochs", "--batch-size", "--lr", "--seed", "--val-split");
        assertEquals(List.of("--batch-size"), Suggestions.closest("--batchsize", names));
        assertEquals(List.of("--batch-size"), Suggestions.closest("--batch-sise", names));
        assertEquals(List.of("--val-split"), Suggestions.closest("--val", names), "a prefix");
        assertEquals(List.of(), Suggestions.closest("--colour", names));
        assertEquals(List.of("--lr", "--lra"), Suggestions.closest("--lre", List.of("--lr", "--lra", "--lrrrr")), "ties");
        assertEquals(List.of("--seed"), Suggestions.closest("--seeds", List.of("--speed", "--seed")));
    }
}
