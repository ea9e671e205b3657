package org.conv4j.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.conv4j.data.DataLoader;
import org.conv4j.data.Dataset;
import org.conv4j.data.ImageFolderDataset;
import org.conv4j.data.Mnist;
import org.conv4j.data.Split;
import org.conv4j.tensor.Shape;
import scala.Tuple2;

/**
 * A labelled image data set spread over Spark partitions, one {@link Shard} each, cached on the
 * executors; sample {@code i} keeps its index {@code i} of the data set, which is what the data
 * order of {@link org.conv4j.data.DataLoader} refers to.
 */
public final class SparkData {
    private final JavaRDD<Shard> shards;
    private final int size, numClasses;
    private final Shape sampleShape;

    private SparkData(JavaRDD<Shard> shards, int size, Shape sampleShape, int numClasses) {
        this.shards = shards.persist(StorageLevel.MEMORY_ONLY());
        this.size = size;
        this.sampleShape = sampleShape;
        this.numClasses = numClasses;
    }

    /**
     * A data set read on the driver (IDX files, image folders, any {@link Dataset}) cut into
     * {@code partitions} runs of consecutive samples. The driver holds it all once, so this suits
     * data that fits its memory; larger data comes from {@link #fromRows}. Each shard travels as a
     * broadcast, fetched once by the executor that computes it (a parallelized collection would
     * ship its data inside every task of every step).
     */
    public static SparkData of(JavaSparkContext sc, Dataset data, int partitions) {
        if (partitions < 1) throw new IllegalArgumentException("SparkData: partitions must be >= 1, got " + partitions);
        int n = data.size(), size = data.sampleSize();
        List<Broadcast<Shard>> shards = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            int from = (int) ((long) n * p / partitions), to = (int) ((long) n * (p + 1) / partitions);
            int[] indices = new int[to - from], labels = new int[to - from];
            float[] pixels = new float[(to - from) * size];
            for (int i = from; i < to; i++) {
                indices[i - from] = i;
                labels[i - from] = data.label(i);
                data.copySample(i, pixels, (i - from) * size);
            }
            shards.add(sc.broadcast(new Shard(indices, pixels, labels, size)));
        }
        List<Integer> ids = new ArrayList<>();
        for (int p = 0; p < partitions; p++) ids.add(p);
        return new SparkData(sc.parallelize(ids, partitions).map(p -> shards.get(p).value()), n, data.sampleShape(), data.numClasses());
    }

    /**
     * The MNIST-style IDX files (SPLIT's images and labels) of a directory, or a folder of class
     * folders of images loaded as {@code shape} (C x H x W), read on the driver as {@link #of} does.
     */
    public static SparkData read(JavaSparkContext sc, Path dir, Split split, Shape shape, int partitions) throws IOException {
        if (Mnist.hasSplit(dir, split)) return of(sc, Mnist.load(dir, split), partitions);
        Path sub = dir.resolve(split.name().toLowerCase(Locale.ROOT));
        Path folder = Files.isDirectory(sub) ? sub : dir;
        if (shape == null) shape = ImageFolderDataset.inferShape(folder);
        return of(sc, ImageFolderDataset.load(folder, shape.dim(0), shape.dim(1), shape.dim(2)), partitions);
    }

    /**
     * Rows read by Spark itself (Parquet, say, so no machine holds the whole set): an array of
     * numbers (C*H*W values in CHW order) in {@code imageColumn} and a class index in
     * {@code labelColumn}. Sample indices follow the rows' order in the data set, which Spark
     * keeps from the files; the rows are counted once here.
     */
    public static SparkData fromRows(org.apache.spark.sql.Dataset<Row> rows, String imageColumn, String labelColumn, Shape sampleShape, int numClasses) {
        int sampleSize = sampleShape.size();
        String shape = sampleShape.toString(); // the tasks' error messages name it; Shape is not Serializable
        int image = rows.schema().fieldIndex(imageColumn), label = rows.schema().fieldIndex(labelColumn);
        JavaRDD<Shard> shards = rows.javaRDD().zipWithIndex().mapPartitions((Iterator<Tuple2<Row, Long>> it) -> {
            List<Integer> indices = new ArrayList<>(), labels = new ArrayList<>();
            List<float[]> images = new ArrayList<>();
            while (it.hasNext()) {
                Tuple2<Row, Long> t = it.next();
                Row r = t._1();
                List<Number> values = r.getList(image);
                if (values.size() != sampleSize) {
                    throw new IllegalArgumentException("SparkData: row " + t._2() + " has " + values.size() + " values in " + imageColumn + ", expected " + sampleSize + " for " + shape);
                }
                int y = ((Number) r.get(label)).intValue();
                if (y < 0 || y >= numClasses) throw new IllegalArgumentException("SparkData: row " + t._2() + " has label " + y + ", expected a class in [0, " + numClasses + ")");
                float[] x = new float[sampleSize];
                for (int i = 0; i < sampleSize; i++) x[i] = values.get(i).floatValue();
                indices.add(Math.toIntExact(t._2()));
                labels.add(y);
                images.add(x);
            }
            float[] pixels = new float[images.size() * sampleSize];
            for (int k = 0; k < images.size(); k++) System.arraycopy(images.get(k), 0, pixels, k * sampleSize, sampleSize);
            return List.of(new Shard(indices.stream().mapToInt(Integer::intValue).toArray(), pixels,
                    labels.stream().mapToInt(Integer::intValue).toArray(), sampleSize)).iterator();
        });
        shards.persist(StorageLevel.MEMORY_ONLY());
        return new SparkData(shards, shards.map(Shard::size).reduce(Integer::sum), sampleShape, numClasses);
    }

    /**
     * A DataLoader that orders this data set's samples (batch size, and then shuffle, seed,
     * transforms as wanted) for {@link SparkTrainer}; it knows the size and shapes only, the
     * samples stay on the executors.
     */
    public DataLoader loader(int batchSize) {
        return new DataLoader(new Placeholder(size, sampleShape, numClasses), batchSize).prefetch(0);
    }

    /** The size and shapes of a data set whose samples are elsewhere. */
    private record Placeholder(int size, Shape sampleShape, int numClasses) implements Dataset {
        @Override
        public void copySample(int index, float[] dst, int dstOffset) {
            throw new UnsupportedOperationException("the samples of a SparkData are on the Spark executors; train it with SparkTrainer");
        }

        @Override
        public int label(int index) {
            throw new UnsupportedOperationException("the labels of a SparkData are on the Spark executors; train it with SparkTrainer");
        }
    }

    JavaRDD<Shard> shards() {
        return shards;
    }

    public int size() {
        return size;
    }

    public Shape sampleShape() {
        return sampleShape;
    }

    public int numClasses() {
        return numClasses;
    }

    /** Drops the cached shards from the executors. */
    public void unpersist() {
        shards.unpersist(false);
    }
}
