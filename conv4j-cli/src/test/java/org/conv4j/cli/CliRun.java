package org.conv4j.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One run of the command line through {@link Main#run}: its exit code, stdout and stderr. */
record CliRun(int code, String out, String err) {

    static CliRun of(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(code, out.toString(), err.toString());
    }

    /** The lines of stderr (none for an empty stderr). */
    String[] errLines() {
        return err.isEmpty() ? new String[0] : err.split("\\R");
    }
}
