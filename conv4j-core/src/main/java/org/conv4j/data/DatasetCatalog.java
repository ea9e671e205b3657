package org.conv4j.data;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Named datasets ({@code mnist}, {@code fashion-mnist}, {@code cifar-10}) and where to find them.
 *
 * <p>A split is looked for, in order: in an explicit directory (the CLI's {@code --data DIR}; if
 * given, nothing else is tried), in the cache {@code <root>/NAME}, then in system directories
 * (Fashion-MNIST: Debian's {@code dataset-fashion-mnist} package, {@code /usr/share/datasets/fashion-mnist}).
 * The cache root is {@code <conv4j.cache>/datasets} when the system property {@value #CACHE_PROPERTY}
 * is set, else {@code ~/.conv4j/datasets}, or a directory given to the constructor.
 *
 * <p>Nothing is downloaded unless {@link #download} is called: it fetches the four IDX files
 * into the cache from the dataset's base URL, each verified against its SHA-256 and resumable
 * ({@link Downloader}); for CIFAR-10 the official binary archive, verified, then unpacked
 * ({@link Tar}) and deleted. A failed download says how to place the files by hand and leaves
 * no folder it created empty.
 */
public final class DatasetCatalog {
    /** The system property naming the conv4j cache root (datasets live in its {@code datasets} folder). */
    public static final String CACHE_PROPERTY = "conv4j.cache";

    /**
     * MNIST, served by PyTorch's mirror of Yann LeCun's files. SHA-256 and sizes from TensorFlow
     * Datasets' {@code tensorflow_datasets/url_checksums/mnist.txt} (github.com/tensorflow/datasets),
     * which lists the same files on Google's CVDF mirror.
     */
    public static final List<RemoteFile> MNIST_FILES = List.of(
            new RemoteFile("train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 9_912_422),
            new RemoteFile("train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28_881),
            new RemoteFile("t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 1_648_877),
            new RemoteFile("t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4_542));

    /**
     * Fashion-MNIST as Zalando serves it. SHA-256 and sizes from TensorFlow Datasets'
     * {@code tensorflow_datasets/url_checksums/fashion_mnist.txt}; many independent lists agree and
     * pair them with the MD5 sums of Zalando's README. Debian's package files have their gzip
     * headers rewritten (no name field: 24 bytes shorter for train, 23 for t10k; a 2020 mtime),
     * so they have other checksums; they are loaded without checksum, the IDX checks still apply.
     */
    public static final List<RemoteFile> FASHION_MNIST_FILES = List.of(
            new RemoteFile("train-images-idx3-ubyte.gz", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", 26_421_880),
            new RemoteFile("train-labels-idx1-ubyte.gz", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", 29_515),
            new RemoteFile("t10k-images-idx3-ubyte.gz", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", 4_422_102),
            new RemoteFile("t10k-labels-idx1-ubyte.gz", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", 5_148));

    /**
     * CIFAR-10's binary version as its authors serve it (www.cs.toronto.edu/~kriz/cifar.html).
     * SHA-256 and size as TensorFlow Datasets and several independent projects list them; the
     * same file has the MD5 c32a1d4ab5d03f1284b67883e8d87530 given on the authors' page.
     */
    public static final RemoteFile CIFAR10_ARCHIVE =
            new RemoteFile("cifar-10-binary.tar.gz", "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd", 170_052_171);
    /** The most file data unpacked from a CIFAR-10 archive (the real one holds 184 MB). */
    static final long CIFAR10_MAX_UNPACKED = 1L << 30;

    public static final URI CIFAR10_URL = URI.create("https://www.cs.toronto.edu/~kriz/");
    public static final URI MNIST_URL = URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/");
    public static final URI FASHION_MNIST_URL = URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");
    /** Where Debian's {@code dataset-fashion-mnist} package puts the four gzip'd IDX files. */
    public static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    private enum Format { IDX, CIFAR10 }

    private record Entry(Format format, URI baseUrl, List<RemoteFile> files, List<Path> systemDirs) {
    }

    private final Path root;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /** A catalog over the default cache root, {@link #defaultRoot()}. */
    public DatasetCatalog() {
        this(defaultRoot());
    }

    /** A catalog whose cache is {@code root/NAME} for each dataset. */
    public DatasetCatalog(Path root) {
        this.root = Objects.requireNonNull(root, "root");
        define("mnist", MNIST_URL, MNIST_FILES, List.of());
        define("fashion-mnist", FASHION_MNIST_URL, FASHION_MNIST_FILES, List.of(DEBIAN_FASHION_MNIST));
        defineCifar10("cifar-10", CIFAR10_URL, CIFAR10_ARCHIVE);
    }

    /** {@code <conv4j.cache>/datasets} if the property is set, else {@code ~/.conv4j/datasets}. */
    public static Path defaultRoot() {
        String p = System.getProperty(CACHE_PROPERTY);
        if (p != null && !p.isBlank()) return Path.of(p).resolve("datasets");
        return Path.of(System.getProperty("user.home"), ".conv4j", "datasets");
    }

    /**
     * Adds or replaces an MNIST-style (IDX) dataset: where to download it from, its files and
     * the system directories to look in after the cache. Also how tests point a name at a
     * local server.
     */
    public DatasetCatalog define(String name, URI baseUrl, List<RemoteFile> files, List<Path> systemDirs) {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[a-z0-9][a-z0-9._-]*")) throw new IllegalArgumentException("DatasetCatalog: bad dataset name '" + name + "'");
        entries.put(name, new Entry(Format.IDX, Objects.requireNonNull(baseUrl, "baseUrl"), List.copyOf(files), List.copyOf(systemDirs)));
        return this;
    }

    /** Adds or replaces a data set in CIFAR-10's binary format, downloaded as a {@code .tar.gz} archive to unpack. */
    public DatasetCatalog defineCifar10(String name, URI baseUrl, RemoteFile archive) {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[a-z0-9][a-z0-9._-]*")) throw new IllegalArgumentException("DatasetCatalog: bad dataset name '" + name + "'");
        entries.put(name, new Entry(Format.CIFAR10, Objects.requireNonNull(baseUrl, "baseUrl"), List.of(archive), List.of()));
        return this;
    }

    public Path root() {
        return root;
    }

    /** The dataset names known, in definition order. */
    public Set<String> names() {
        return entries.keySet();
    }

    /** The cache directory of a dataset, {@code root/NAME}. */
    public Path cacheDir(String name) {
        entry(name);
        return root.resolve(name);
    }

    /** The system directories looked in after the cache. */
    public List<Path> systemDirs(String name) {
        return entry(name).systemDirs;
    }

    /** The files {@link #download} fetches (for CIFAR-10 its archive; empty for a local-only dataset). */
    public List<RemoteFile> files(String name) {
        return entry(name).files;
    }

    public URI baseUrl(String name) {
        return entry(name).baseUrl;
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new IllegalArgumentException("unknown dataset '" + name + "': expected one of " + entries.keySet());
        return e;
    }

    /**
     * The directory a split would be loaded from: {@code explicitDir} if not null (which must
     * hold it), else the first of the cache and the system directories that does.
     */
    public Path locate(String name, Split split, Path explicitDir) throws IOException {
        Entry e = entry(name);
        List<Path> dirs = new ArrayList<>();
        if (explicitDir != null) {
            dirs.add(explicitDir);
        } else {
            dirs.add(cacheDir(name));
            dirs.addAll(e.systemDirs);
        }
        List<String> tried = new ArrayList<>();
        for (Path d : dirs) {
            if (has(e, d, split)) return d;
            tried.add(d + (Files.isDirectory(d) ? " (missing " + missing(e, d, split) + ")" : " (no such directory)"));
        }
        String hint = explicitDir != null || e.files.isEmpty() ? "" : "; get it with ./conv4j download " + name
                + (aptPackage(name) == null ? "" : " (or apt-get install " + aptPackage(name) + ")");
        throw new FileNotFoundException("dataset '" + name + "' (" + split.label() + " split) not found; looked in " + String.join(", ", tried) + hint);
    }

    private static boolean has(Entry e, Path dir, Split split) {
        return e.format == Format.IDX ? Mnist.hasSplit(dir, split) : Cifar10.hasSplit(dir, split);
    }

    private static String missing(Entry e, Path dir, Split split) {
        return e.format == Format.IDX ? Mnist.missing(dir, split) : String.join(", ", Cifar10.fileNames(split));
    }

    /** Loads a split, found as {@link #locate} says; never downloads. */
    public Dataset load(String name, Split split, Path explicitDir) throws IOException {
        Entry e = entry(name);
        Path dir = locate(name, split, explicitDir);
        return e.format == Format.IDX ? Mnist.load(dir, split) : Cifar10.load(dir, split);
    }

    /**
     * Downloads (or resumes, or verifies) every file of {@code name} into its cache directory and,
     * for CIFAR-10, unpacks the archive there (skipped when both splits are already there); returns
     * that directory. A failure's message ends with how to place the files by hand.
     */
    public Path download(String name, Downloader downloader) throws IOException {
        Entry e = entry(name);
        Path dir = cacheDir(name);
        if (e.files.isEmpty()) throw new IllegalArgumentException("dataset '" + name + "' has no download source; put its files in " + dir);
        if (e.format == Format.CIFAR10 && has(e, dir, Split.TRAIN) && has(e, dir, Split.TEST)) {
            downloader.log().accept("already have " + name + " in " + dir);
            return dir;
        }
        List<Path> created = Folders.create(dir);
        try {
            for (RemoteFile f : e.files) downloader.fetch(e.baseUrl, f, dir);
            if (e.format == Format.CIFAR10) unpack(name, e, dir, downloader);
            return dir;
        } catch (IOException ex) {
            Folders.removeEmpty(created);
            throw new IOException(ex.getMessage() + "; " + byHand(name, e, dir), ex);
        }
    }

    /** Unpacks the archive in {@code dir}, checks both splits came out, then deletes it. */
    private static void unpack(String name, Entry e, Path dir, Downloader downloader) throws IOException {
        Path archive = dir.resolve(e.files.get(0).name());
        Tar.Extracted unpacked = Tar.extractGz(archive, dir, CIFAR10_MAX_UNPACKED, downloader.log());
        if (!has(e, dir, Split.TRAIN) || !has(e, dir, Split.TEST)) {
            unpacked.undo();
            throw new IOException("the archive " + archive + " holds no CIFAR-10 binary batches (expected cifar-10-batches-bin/ with "
                    + String.join(", ", Cifar10.fileNames(Split.TRAIN)) + ", test_batch.bin)");
        }
        Files.delete(archive);
        downloader.log().accept("unpacked " + unpacked.files().size() + " files of " + name + " into " + dir + " (the archive is deleted)");
    }

    /** How to place a data set's files by hand, for the end of a download error. */
    private static String byHand(String name, Entry e, Path dir) {
        List<String> names = new ArrayList<>();
        for (RemoteFile f : e.files) names.add(f.name());
        String where = dir.toAbsolutePath() + "/";
        String s = e.format == Format.CIFAR10
                ? "to place it by hand, download " + e.baseUrl + names.get(0) + " and unpack it into " + where + " (mkdir -p " + where + " && tar xzf " + names.get(0) + " -C " + where + ")"
                : "to place them by hand, download " + String.join(", ", names) + " from " + e.baseUrl + " into " + where;
        return aptPackage(name) == null ? s : s + ", or apt-get install " + aptPackage(name);
    }

    /** The Debian package that provides a data set, or null. */
    private static String aptPackage(String name) {
        return name.equals("fashion-mnist") ? "dataset-fashion-mnist" : null;
    }

    /** {@link #download(String, Downloader)} with a default {@link Downloader}. */
    public Path download(String name) throws IOException {
        return download(name, new Downloader());
    }
}
