package org.conv4j.cli;

import java.io.IOException;
import java.util.List;
import java.util.ServiceLoader;
import org.conv4j.data.DataLoader;
import org.conv4j.train.EpochResult;
import org.conv4j.train.Trainer;

/**
 * Training on a cluster for {@code train --spark MASTER}: a service that conv4j-spark provides
 * (META-INF/services), so that conv4j.jar itself needs no Spark, and {@code ./conv4j-on-spark} or
 * {@code spark-submit} put it on the class path.
 */
public interface DistributedTraining {
    /** Trains {@code trainer} with the batches of {@code train} (and validates on {@code validation}, may be null) on the cluster at {@code master}. */
    List<EpochResult> fit(String master, Trainer trainer, DataLoader train, DataLoader validation) throws IOException;

    /** The provider on the class path, or a usage error saying how to get one. */
    static DistributedTraining find() {
        return ServiceLoader.load(DistributedTraining.class).findFirst().orElseThrow(() -> new Main.UsageError(
                "--spark needs Apache Spark, which conv4j.jar leaves out: run ./conv4j-on-spark train --spark MASTER ... "
                        + "(it builds conv4j-spark/target/conv4j-spark.jar and takes Spark from Maven), or submit that jar with "
                        + "spark-submit --class org.conv4j.cli.Main (see conv4j-spark/README.md)"));
    }
}
