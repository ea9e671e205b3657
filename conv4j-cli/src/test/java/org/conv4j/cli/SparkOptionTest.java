package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** conv4j.jar has no Spark: train --spark says how to run it, before making a run folder. */
class SparkOptionTest {
    @Test
    void trainSparkWithoutConv4jSparkSaysWhereItIs(@TempDir Path dir) {
        Path run = dir.resolve("run");
        Cli r = Cli.run("train", "--spark", "local[2]", "--epochs", "1", "--out", run.toString());
        assertEquals(2, r.exitCode());
        assertArrayEquals(new String[] {"conv4j train: --spark needs Apache Spark, which conv4j.jar leaves out: run ./conv4j-on-spark train --spark MASTER ... "
                + "(it builds conv4j-spark/target/conv4j-spark.jar and takes Spark from Maven), or submit that jar with "
                + "spark-submit --class org.conv4j.cli.Main (see conv4j-spark/README.md)"}, r.errLines());
        assertFalse(Files.exists(run), "no run folder for a refused run");
    }
}
