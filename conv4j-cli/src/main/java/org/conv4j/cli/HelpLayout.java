package org.conv4j.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The help texts, wrapped at the usage width (the terminal's) at spaces only. picocli wraps with
 * {@link java.text.BreakIterator}, which also breaks inside words after '.' and '-' ("model." /
 * "safetensors", "x0." / "1"); these renderers replace its synopsis, description, argument, option
 * and command sections. Each description string is one paragraph; an empty one is a blank line.
 */
final class HelpLayout {
    /** The widest left column (option names); longer names put their description on the next line. */
    private static final int MAX_NAMES_WIDTH = 30;

    private HelpLayout() {
    }

    /** Installs the renderers on a command and all its sub-commands. */
    static void install(CommandLine cli) {
        Map<String, CommandLine.IHelpSectionRenderer> sections = cli.getHelpSectionMap();
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS, HelpLayout::synopsis);
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_DESCRIPTION, HelpLayout::description);
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_PARAMETER_LIST, h -> table(h, argumentRows(h.commandSpec()), column(h.commandSpec())));
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST, h -> table(h, optionRows(h.commandSpec()), column(h.commandSpec())));
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, h -> table(h, commandRows(h), commandColumn(h)));
        cli.setHelpSectionMap(sections);
        cli.getCommandSpec().usageMessage().parameterListHeading("%nArguments:%n").optionListHeading("%nOptions:%n").commandListHeading("%nCommands:%n");
        for (CommandLine sub : cli.getSubcommands().values()) install(sub);
    }

    /** Words of {@code text} in lines of at most {@code width} characters (a longer word stands alone). */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.trim().split(" +")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) line.append(' ');
            line.append(word);
        }
        if (line.length() > 0) lines.add(line.toString());
        return lines;
    }

    /** {@code conv4j train [OPTIONS]}, then the required options and the arguments. */
    private static String synopsis(Help help) {
        CommandSpec spec = help.commandSpec();
        List<String> words = new ArrayList<>();
        if (spec.options().stream().anyMatch(o -> !o.hidden() && !o.required())) words.add("[OPTIONS]");
        for (OptionSpec o : spec.options()) if (!o.hidden() && o.required()) words.add(name(o) + "=" + o.paramLabel());
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.hidden()) continue;
            String label = p.paramLabel() + (p.isMultiValue() ? "..." : "");
            words.add(p.arity().min() == 0 ? "[" + label + "]" : label);
        }
        if (!spec.subcommands().isEmpty()) words.add("[COMMAND]");
        String name = spec.qualifiedName();
        int indent = help.synopsisHeadingLength() + name.length() + 1; // continuation lines start under the first word
        StringBuilder sb = new StringBuilder(name);
        int used = indent - 1;
        boolean lineHasWord = false;
        for (String w : words) {
            if (lineHasWord && used + 1 + w.length() > width(help)) {
                sb.append('\n').append(" ".repeat(indent - 1));
                used = indent - 1;
            }
            sb.append(' ').append(w);
            used += 1 + w.length();
            lineHasWord = true;
        }
        return sb.append('\n').toString();
    }

    private static String description(Help help) {
        StringBuilder sb = new StringBuilder();
        for (String text : help.commandSpec().usageMessage().description()) {
            // picocli's own help command writes %n for a line break
            for (String paragraph : (text.isBlank() ? text : text.replace("%n", "\n").stripTrailing()).split("\n", -1)) {
                for (String line : wrap(paragraph, width(help))) sb.append(line).append('\n');
                if (paragraph.isBlank()) sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** An option's first long name ({@code --model}, not its older {@code --model-file}). */
    static String name(OptionSpec o) {
        for (String n : o.names()) if (n.startsWith("--")) return n;
        return o.longestName();
    }

    /** One row per (names, description) pair: the names from column 2, the description wrapped from {@code column}. */
    private static String table(Help help, List<String[]> rows, int column) {
        StringBuilder sb = new StringBuilder();
        int room = Math.max(20, width(help) - column);
        for (String[] row : rows) {
            List<String> lines = wrap(row[1], room);
            sb.append(row[0]);
            if (row[0].length() + 2 > column) sb.append('\n').append(" ".repeat(column));
            else sb.append(" ".repeat(column - row[0].length()));
            for (int i = 0; i < lines.size(); i++) {
                if (i > 0) sb.append(" ".repeat(column));
                sb.append(lines.get(i)).append('\n');
            }
            if (lines.isEmpty()) sb.append('\n');
        }
        return sb.toString();
    }

    private static int width(Help help) {
        return help.commandSpec().usageMessage().width();
    }

    /** Where descriptions start, the same for the arguments and the options of a command. */
    private static int column(CommandSpec spec) {
        int widest = 0;
        for (String[] r : argumentRows(spec)) widest = Math.max(widest, r[0].length());
        for (String[] r : optionRows(spec)) widest = Math.max(widest, r[0].length());
        return Math.min(widest, MAX_NAMES_WIDTH) + 2;
    }

    private static List<String[]> optionRows(CommandSpec spec) {
        List<OptionSpec> options = new ArrayList<>();
        for (OptionSpec o : spec.options()) if (!o.hidden()) options.add(o);
        options.sort(Comparator.comparing(o -> o.longestName().replaceFirst("^-+", "").toLowerCase(Locale.ROOT)));
        List<String[]> rows = new ArrayList<>();
        for (OptionSpec o : options) {
            String shortName = null;
            List<String> longNames = new ArrayList<>();
            for (String n : o.names()) {
                if (n.length() == 2 && shortName == null) shortName = n;
                else longNames.add(o.negatable() ? n.replaceFirst("^--", "--[no-]") : n);
            }
            String names = (shortName == null ? "    " : shortName + (longNames.isEmpty() ? "  " : ", ")) + String.join(", ", longNames);
            if (o.arity().max() > 0) names += "=" + o.paramLabel();
            rows.add(new String[] {"  " + names, text(o)});
        }
        return rows;
    }

    private static List<String[]> argumentRows(CommandSpec spec) {
        List<String[]> rows = new ArrayList<>();
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (!p.hidden()) rows.add(new String[] {"      " + p.paramLabel() + (p.isMultiValue() ? "..." : ""), text(p)});
        }
        return rows;
    }

    private static List<String[]> commandRows(Help help) {
        List<String[]> rows = new ArrayList<>();
        for (Map.Entry<String, Help> e : help.subcommands().entrySet()) {
            var usage = e.getValue().commandSpec().usageMessage();
            String[] first = usage.header().length > 0 ? usage.header() : usage.description();
            rows.add(new String[] {"  " + e.getKey(), first.length == 0 ? "" : first[0].replace("%n", " ").trim()});
        }
        return rows;
    }

    private static int commandColumn(Help help) {
        int widest = 0;
        for (String name : help.subcommands().keySet()) widest = Math.max(widest, name.length());
        return widest + 4;
    }

    /** The description with ${DEFAULT-VALUE} and the like filled in, as one paragraph. */
    private static String text(ArgSpec a) {
        return String.join(" ", a.renderedDescription());
    }
}
