package org.conv4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.conv4j.data.ArrayDataset;
import org.conv4j.data.Split;
import org.conv4j.nn.Layer;
import org.conv4j.optim.SGD;
import org.conv4j.tensor.Shape;
import org.conv4j.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkDataTest {
    private static final StructType SCHEMA = new StructType()
            .add("pixels", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("digit", DataTypes.IntegerType, false);

    private static List<Row> rows(ArrayDataset d, int n) {
        List<Row> rows = new ArrayList<>();
        float[] x = new float[d.sampleSize()];
        for (int i = 0; i < n; i++) {
            d.copySample(i, x, 0);
            List<Float> pixels = new ArrayList<>();
            for (float v : x) pixels.add(v);
            rows.add(RowFactory.create(pixels, d.label(i)));
        }
        return rows;
    }

    private static Trainer train(JavaSparkContext sc, SparkData data) {
        Layer net = SparkTests.lenet(3);
        Trainer t = new Trainer(net, new SGD(net, 0.05).momentum(0.9)).epochs(1).seed(1);
        try {
            new SparkTrainer(sc, t, data, data.loader(64).shuffle(true).seed(2)).fit();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return t;
    }

    /** 640 digits written to Parquet and read back by Spark train as the same digits held by the driver do. */
    @Test
    void rowsFromParquetTrainAsTheDriversDataDo(@TempDir Path dir) throws IOException {
        ArrayDataset digits = SparkTests.mnist(Split.TRAIN);
        try (JavaSparkContext sc = SparkTests.context("local[2]"); SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate()) {
            String file = dir.resolve("digits.parquet").toString();
            spark.createDataFrame(rows(digits, 640), SCHEMA).coalesce(1).write().parquet(file);
            SparkData fromRows = SparkData.fromRows(spark.read().parquet(file), "pixels", "digit", Shape.of(1, 28, 28), 10);
            assertEquals(640, fromRows.size());
            int[] first = new int[640];
            for (int i = 0; i < 640; i++) first[i] = i;
            SparkData ofDriver = SparkData.of(sc, new org.conv4j.data.Subset(digits, first), 2);
            double diff = SparkTests.relativeDifference(train(sc, fromRows).model(), train(sc, ofDriver).model());
            assertTrue(diff <= 1e-5, "relative difference " + diff);

            SparkData idx = SparkData.read(sc, SparkTests.MNIST, Split.TEST, null, 3);
            assertEquals(List.of(1000, 10, Shape.of(1, 28, 28)), List.of(idx.size(), idx.numClasses(), idx.sampleShape()));

            Dataset<Row> wrong = spark.createDataFrame(rows(digits, 3), SCHEMA);
            var e = assertThrows(SparkException.class, () -> SparkData.fromRows(wrong, "pixels", "digit", Shape.of(1, 14, 14), 10));
            assertTrue(e.getMessage().matches("(?s).*SparkData: row [012] has 784 values in pixels, expected 196 for \\[1, 14, 14].*"), e.getMessage());
        }
    }
}
