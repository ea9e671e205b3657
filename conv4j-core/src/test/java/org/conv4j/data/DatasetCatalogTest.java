package org.conv4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetCatalogTest {
    @TempDir
    Path tmp;

    final Map<String, byte[]> served = new ConcurrentHashMap<>();
    HttpServer server;
    URI base;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/mnist/", ex -> {
            byte[] body = served.get(ex.getRequestURI().getPath().substring("/mnist/".length()));
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
            ex.close();
        });
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/mnist/");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    /** Generates a small MNIST-style set, serves its four gz files and returns their specs. */
    private List<RemoteFile> serveMnist() throws Exception {
        Path src = tmp.resolve("server");
        TestData.writeMnist(src, "train", 6, 4, 4, 11, true);
        TestData.writeMnist(src, "t10k", 3, 4, 4, 12, true);
        List<RemoteFile> files = new ArrayList<>();
        for (String name : List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")) {
            byte[] b = Files.readAllBytes(src.resolve(name));
            served.put(name, b);
            files.add(new RemoteFile(name, DownloaderTest.sha256(b), b.length));
        }
        return files;
    }

    @Test
    void anExplicitDownloadFillsTheCacheAndLoads() throws Exception {
        DatasetCatalog catalog = new DatasetCatalog(tmp.resolve("cache")).define("mnist", base, serveMnist(), List.of());
        assertThrows(FileNotFoundException.class, () -> catalog.load("mnist", Split.TRAIN, null), "nothing is downloaded implicitly");
        Path dir = catalog.download("mnist");
        assertEquals(tmp.resolve("cache/mnist"), dir);
        Dataset train = catalog.load("mnist", Split.TRAIN, null);
        Dataset expected = Mnist.load(tmp.resolve("server"), Split.TRAIN);
        assertEquals(6, train.size());
        float[] a = new float[16], b = new float[16];
        for (int i = 0; i < 6; i++) {
            train.copySample(i, a, 0);
            expected.copySample(i, b, 0);
            assertEquals(expected.label(i), train.label(i));
            assertEquals(java.util.Arrays.toString(b), java.util.Arrays.toString(a));
        }
        assertEquals(3, catalog.load("mnist", Split.TEST, null).size());
    }

    @Test
    void aChecksumMismatchLeavesNothingInTheCache() throws Exception {
        List<RemoteFile> files = new ArrayList<>(serveMnist());
        RemoteFile f = files.get(0);
        files.set(0, new RemoteFile(f.name(), "0".repeat(64), f.size()));
        DatasetCatalog catalog = new DatasetCatalog(tmp.resolve("cache")).define("mnist", base, files, List.of());
        var e = assertThrows(IOException.class, () -> catalog.download("mnist"));
        assertTrue(e.getMessage().startsWith("checksum mismatch for " + base + "train-images-idx3-ubyte.gz"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("cache")), "the cache folders this download made are removed");
    }

    @Test
    void aMissingRemoteFileFailsClearly() throws Exception {
        List<RemoteFile> files = serveMnist();
        served.remove("t10k-labels-idx1-ubyte.gz");
        DatasetCatalog catalog = new DatasetCatalog(tmp.resolve("cache")).define("mnist", base, files, List.of());
        var e = assertThrows(IOException.class, () -> catalog.download("mnist"));
        assertEquals("cannot download " + base + "t10k-labels-idx1-ubyte.gz: the server answered HTTP 404 Not Found; to place them by hand, download "
                + "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz from " + base
                + " into " + catalog.cacheDir("mnist").toAbsolutePath() + "/", e.getMessage());
        // the three files that arrived stay, verified: the next run fetches only the fourth
        try (var s = Files.list(catalog.cacheDir("mnist"))) {
            assertEquals(3, s.count());
        }
    }

    // offline: the URL, the cause in words, where to put which files by hand; no empty cache folder
    @Test
    void anOfflineDownloadSaysWhatToDoAndLeavesNoEmptyFolder() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        URI closed = URI.create("http://127.0.0.1:" + port + "/fashion/");
        DatasetCatalog catalog = new DatasetCatalog(tmp.resolve("home/.conv4j/datasets")).define("fashion-mnist", closed, serveMnist(), List.of());
        var e = assertThrows(IOException.class, () -> catalog.download("fashion-mnist"));
        String m = e.getMessage();
        assertTrue(m.startsWith("cannot download " + closed + "train-images-idx3-ubyte.gz: cannot connect to 127.0.0.1:" + port + " ("), m);
        assertTrue(m.endsWith("; to place them by hand, download train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, "
                + "t10k-labels-idx1-ubyte.gz from " + closed + " into " + tmp.resolve("home/.conv4j/datasets/fashion-mnist") + "/, or apt-get install dataset-fashion-mnist"), m);
        assertFalse(Files.exists(tmp.resolve("home")), "no empty folder is left behind");
        assertFalse(m.contains("\n"), "one line");
    }

    /** A CIFAR-10-style archive: cifar-10-batches-bin/ with five training batches of 2 records, a test batch of 3, and the metadata. */
    private static byte[] cifarArchive() {
        List<byte[]> entries = new ArrayList<>();
        entries.add(TestData.tarEntry("cifar-10-batches-bin/", '5', new byte[0], 0));
        SplittableRandom rng = new SplittableRandom(21);
        for (String name : List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin")) {
            int n = name.startsWith("test") ? 3 : 2;
            byte[] b = TestData.randomBytes(rng, n * Cifar10.RECORD_BYTES, 256);
            for (int r = 0; r < n; r++) b[r * Cifar10.RECORD_BYTES] = (byte) rng.nextInt(10);
            entries.add(TestData.tarEntry("cifar-10-batches-bin/" + name, '0', b, b.length));
        }
        byte[] meta = "airplane\nautomobile\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        entries.add(TestData.tarEntry("cifar-10-batches-bin/batches.meta.txt", '0', meta, meta.length));
        return TestData.tarGz(entries.toArray(new byte[0][]));
    }

    @Test
    void cifar10IsDownloadedVerifiedAndUnpacked() throws Exception {
        byte[] tgz = cifarArchive();
        served.put("cifar-10-binary.tar.gz", tgz);
        RemoteFile archive = new RemoteFile("cifar-10-binary.tar.gz", DownloaderTest.sha256(tgz), tgz.length);
        DatasetCatalog catalog = new DatasetCatalog(tmp.resolve("cache")).defineCifar10("cifar-10", base, archive);
        List<String> log = new ArrayList<>();
        Path dir = catalog.download("cifar-10", new Downloader().log(log::add));
        assertEquals(tmp.resolve("cache/cifar-10"), dir);
        assertEquals(10, catalog.load("cifar-10", Split.TRAIN, null).size());
        assertEquals(3, catalog.load("cifar-10", Split.TEST, null).size());
        assertFalse(Files.exists(dir.resolve("cifar-10-binary.tar.gz")), "the archive is deleted once unpacked");
        assertEquals("unpacked 7 files of cifar-10 into " + dir + " (the archive is deleted)", log.get(log.size() - 1));
        served.clear(); // a second run needs no server
        catalog.download("cifar-10", new Downloader().log(log::add));
        assertEquals("already have cifar-10 in " + dir, log.get(log.size() - 1));
    }

    @Test
    void aBadCifar10ArchiveLeavesNothing() throws Exception {
        byte[] tgz = cifarArchive();
        served.put("cifar-10-binary.tar.gz", tgz);
        DatasetCatalog wrongSum = new DatasetCatalog(tmp.resolve("cache"))
                .defineCifar10("cifar-10", base, new RemoteFile("cifar-10-binary.tar.gz", "ab".repeat(32), tgz.length));
        var e = assertThrows(IOException.class, () -> wrongSum.download("cifar-10"));
        assertTrue(e.getMessage().startsWith("checksum mismatch for " + base + "cifar-10-binary.tar.gz: expected SHA-256 " + "ab".repeat(32)), e.getMessage());
        assertTrue(e.getMessage().endsWith("; to place it by hand, download " + base + "cifar-10-binary.tar.gz and unpack it into " + tmp.resolve("cache/cifar-10")
                + "/ (mkdir -p " + tmp.resolve("cache/cifar-10") + "/ && tar xzf cifar-10-binary.tar.gz -C " + tmp.resolve("cache/cifar-10") + "/)"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("cache")));

        // verified, but without the batches: the unpacked files and the folders go
        byte[] other = TestData.tarGz(TestData.tarEntry("stuff/readme.txt", '0', new byte[] {'h', 'i'}, 2));
        served.put("cifar-10-binary.tar.gz", other);
        DatasetCatalog empty = new DatasetCatalog(tmp.resolve("cache"))
                .defineCifar10("cifar-10", base, new RemoteFile("cifar-10-binary.tar.gz", DownloaderTest.sha256(other), other.length));
        e = assertThrows(IOException.class, () -> empty.download("cifar-10"));
        assertTrue(e.getMessage().startsWith("the archive " + tmp.resolve("cache/cifar-10/cifar-10-binary.tar.gz") + " holds no CIFAR-10 binary batches"), e.getMessage());
        assertEquals(List.of(tmp.resolve("cache"), tmp.resolve("cache/cifar-10"), tmp.resolve("cache/cifar-10/cifar-10-binary.tar.gz")),
                listAll(tmp.resolve("cache")), "only the verified archive is kept, no unpacked file or folder");
    }

    private static List<Path> listAll(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void looksInTheExplicitDirectoryThenTheCacheThenSystemDirectories() throws IOException {
        Path explicit = tmp.resolve("explicit"), system = tmp.resolve("system");
        DatasetCatalog catalog = new DatasetCatalog(tmp.resolve("cache")).define("fashion-mnist", base, DatasetCatalog.FASHION_MNIST_FILES, List.of(system));
        TestData.writeMnist(system, "train", 4, 2, 2, 1, true);
        assertEquals(system, catalog.locate("fashion-mnist", Split.TRAIN, null));
        assertEquals(4, catalog.load("fashion-mnist", Split.TRAIN, null).size());
        TestData.writeMnist(catalog.cacheDir("fashion-mnist"), "train", 3, 2, 2, 2, false);
        assertEquals(3, catalog.load("fashion-mnist", Split.TRAIN, null).size());
        TestData.writeMnist(explicit, "train", 2, 2, 2, 3, true);
        assertEquals(2, catalog.load("fashion-mnist", Split.TRAIN, explicit).size());
        // an explicit directory is not second-guessed: no fallback to the cache
        var e = assertThrows(FileNotFoundException.class, () -> catalog.load("fashion-mnist", Split.TEST, explicit));
        assertEquals("dataset 'fashion-mnist' (test split) not found; looked in " + explicit
                + " (missing t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz])", e.getMessage());
        e = assertThrows(FileNotFoundException.class, () -> catalog.load("fashion-mnist", Split.TEST, null));
        assertTrue(e.getMessage().startsWith("dataset 'fashion-mnist' (test split) not found; looked in " + catalog.cacheDir("fashion-mnist")
                + " (missing t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]), " + system), e.getMessage());
        assertTrue(e.getMessage().endsWith("; get it with ./conv4j download fashion-mnist (or apt-get install dataset-fashion-mnist)"), e.getMessage());
        var mnist = assertThrows(FileNotFoundException.class, () -> catalog.load("mnist", Split.TEST, null));
        assertTrue(mnist.getMessage().endsWith(" (no such directory); get it with ./conv4j download mnist"), mnist.getMessage());
        var noDir = assertThrows(FileNotFoundException.class, () -> catalog.load("mnist", Split.TEST, tmp.resolve("nope")));
        assertTrue(noDir.getMessage().contains(tmp.resolve("nope") + " (no such directory)"), noDir.getMessage());
    }

    @Test
    void builtInDatasetsAndCacheRoot() throws IOException {
        DatasetCatalog catalog = new DatasetCatalog(tmp);
        assertEquals(Set.of("mnist", "fashion-mnist", "cifar-10"), catalog.names());
        assertEquals(List.of(Path.of("/usr/share/datasets/fashion-mnist")), catalog.systemDirs("fashion-mnist"));
        assertEquals(List.of(), catalog.systemDirs("mnist"));
        assertEquals(URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"), catalog.baseUrl("mnist"));
        assertEquals(4, catalog.files("fashion-mnist").size());
        assertEquals(9_912_422, catalog.files("mnist").get(0).size());
        assertEquals(List.of(new RemoteFile("cifar-10-binary.tar.gz", "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd", 170_052_171)),
                catalog.files("cifar-10"));
        assertEquals(URI.create("https://www.cs.toronto.edu/~kriz/"), catalog.baseUrl("cifar-10"));
        var e = assertThrows(IllegalArgumentException.class, () -> catalog.cacheDir("imagenet"));
        assertEquals("unknown dataset 'imagenet': expected one of [mnist, fashion-mnist, cifar-10]", e.getMessage());

        String saved = System.getProperty(DatasetCatalog.CACHE_PROPERTY);
        try {
            System.setProperty(DatasetCatalog.CACHE_PROPERTY, tmp.resolve("c4j").toString());
            assertEquals(tmp.resolve("c4j/datasets"), DatasetCatalog.defaultRoot());
            assertEquals(tmp.resolve("c4j/datasets/mnist"), new DatasetCatalog().cacheDir("mnist"));
            System.clearProperty(DatasetCatalog.CACHE_PROPERTY);
            assertEquals(Path.of(System.getProperty("user.home"), ".conv4j", "datasets"), DatasetCatalog.defaultRoot());
        } finally {
            if (saved == null) System.clearProperty(DatasetCatalog.CACHE_PROPERTY);
            else System.setProperty(DatasetCatalog.CACHE_PROPERTY, saved);
        }
    }

    @Test
    void cifar10LoadsFromAnExplicitDirectory() throws IOException {
        Path d = tmp.resolve("cifar");
        Files.createDirectories(d);
        byte[] r = new byte[2 * Cifar10.RECORD_BYTES];
        r[Cifar10.RECORD_BYTES] = 4;
        Files.write(d.resolve("test_batch.bin"), r);
        Dataset test = new DatasetCatalog(tmp).load("cifar-10", Split.TEST, d);
        assertEquals(2, test.size());
        assertEquals(4, test.label(1));
        var e = assertThrows(FileNotFoundException.class, () -> new DatasetCatalog(tmp).load("cifar-10", Split.TRAIN, d));
        assertTrue(e.getMessage().contains("missing data_batch_1.bin, data_batch_2.bin"), e.getMessage());
        assertFalse(e.getMessage().contains("download"), e.getMessage());
    }
}
