package org.conv4j.cli;

import picocli.CommandLine.Option;

/** {@code --data NAME|DIR}, shared by the commands that read a data set. */
final class DataOption {
    static final String LABEL = "NAME|DIR";
    static final String DESCRIPTION = "A data set: mnist-sample (shipped), mnist, fashion-mnist, cifar-10, "
            + "mnist-seg (segmentation of digits on a canvas, built from mnist-sample), or a directory (default: ${DEFAULT-VALUE}).";

    @Option(names = "--data", paramLabel = LABEL, defaultValue = DataSource.SAMPLE, description = DESCRIPTION)
    String data;
}
