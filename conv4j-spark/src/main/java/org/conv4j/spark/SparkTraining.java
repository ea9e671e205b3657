package org.conv4j.spark;

import java.io.IOException;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.conv4j.cli.DistributedTraining;
import org.conv4j.data.DataLoader;
import org.conv4j.train.EpochResult;
import org.conv4j.train.Trainer;

/**
 * {@code conv4j train --spark MASTER}: the command's trainer and data loaders on a Spark context,
 * the data cut into one shard per core of the cluster. Under spark-submit the master is the one
 * it was given, which {@code --spark} must repeat.
 */
public final class SparkTraining implements DistributedTraining {
    @Override
    public List<EpochResult> fit(String master, Trainer trainer, DataLoader train, DataLoader validation) throws IOException {
        SparkConf conf = new SparkConf().setAppName("conv4j train").setIfMissing("spark.log.level", "WARN");
        String submitted = conf.get("spark.master", null);
        if (submitted == null) conf.setMaster(master);
        else if (!submitted.equals(master)) throw new IllegalArgumentException("--spark " + master + " contradicts spark-submit's --master " + submitted + "; give both the same");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            int shards = sc.defaultParallelism();
            SparkTrainer st = new SparkTrainer(sc, trainer, SparkData.of(sc, train.dataset(), shards), train);
            if (validation != null) st.validation(SparkData.of(sc, validation.dataset(), shards), validation.batchSize());
            return st.fit();
        }
    }
}
