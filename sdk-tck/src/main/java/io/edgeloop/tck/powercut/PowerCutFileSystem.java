package io.edgeloop.tck.powercut;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonReadableChannelException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.nio.file.WatchService;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * A file system that forgets, at a power cut, everything not made durable, for crash-consistency tests of code
 * that promises durability (after SQLite's crash-test VFS, LazyFS and ALICE). It wraps a real directory of the
 * default file system: every operation through it is done for real, in that directory (syncs too, unless
 * {@link #realSyncs} turns them off), and the file system also keeps the durable view, which {@link #materialize}
 * writes out after a {@link #cut()}. A killed process keeps the page cache, so a kill -9 test never loses an
 * unsynced write; this one does.
 *
 * <p>The model is strict POSIX (stricter than ext4, which also commits a new file's name with its first fsync):
 * <ul>
 *   <li>A file is an inode: renames and links move or add names, the identity stays. Its durable content is its
 *       whole real content as of the last {@link FileChannel#force} on any channel of it, either flag (fdatasync
 *       writes what reading needs, so size changes too); a file never forced has empty durable content.</li>
 *   <li>A directory's durable entries (name to inode) are its real entries as of the last {@code force} of a
 *       channel opened on the directory itself ({@code FileChannel.open(dir, READ).force(true)}, which is how Java
 *       syncs a directory). A create, rename, link or delete is durable only once its directory (both, for a
 *       rename across directories) is synced; until then the durable entry still names the old inode, with that
 *       inode's durable content, also when the file was replaced or unlinked. A new subdirectory needs its parent
 *       synced, and the entries inside it need it synced.</li>
 *   <li>Files and directories present when the file system is wrapped are durable as they are.</li>
 *   <li>{@link #writeback()} makes everything durable as it is now, as the kernel's periodic writeback does.</li>
 *   <li>{@link #cut()} (or the operation numbered by {@link #cutAt}) is the power cut: from then on every operation
 *       through this file system throws {@code IOException("power cut")} and touches nothing. Closing a channel is
 *       never refused nor counted (it changes nothing durable and must not leak descriptors).</li>
 *   <li>{@link #materialize} writes the durable view into a fresh real directory: {@link Variant#STRICT} only
 *       durable state; {@link Variant#TORN} additionally keeps, per file, a seeded random prefix (0 to all) of the
 *       bytes appended since its last sync, possibly cutting a write in the middle, as ext4 {@code data=ordered}
 *       can leave. Only appends are torn: a file whose unsynced content differs inside its durable prefix (rewritten
 *       in place or truncated) keeps its durable content. {@link Variant#JOURNALED} keeps the durable contents
 *       and the names a journaling file system commits in order: all as of the last sync of anything, plus a
 *       seeded random prefix of the creates, renames, links and deletes since.</li>
 * </ul>
 * So the usual atomic replace is durable once every step is done: write {@code name.tmp}, {@code force} it,
 * rename it over {@code name}, sync the directory; a cut before the directory sync leaves the old content.
 *
 * <p>The code under test must reach files through {@link Path} and NIO ({@link Files}, {@link FileChannel}) on
 * the paths it is given: {@link Path#toFile()} throws {@code UnsupportedOperationException} here (as for any path
 * outside the default file system), and {@code Path.of(String)} or {@code new File(...)} would bypass the model.
 * Paths outside the wrapped directory may be read (attributes, access checks: {@code Files.createDirectories}
 * looks at the parents) but not written. Symbolic links, watch services, memory mapping and
 * {@code DELETE_ON_CLOSE} are not supported, nor are {@code SYNC}/{@code DSYNC} opens (each write durable on
 * return): they throw {@code UnsupportedOperationException} rather than be modelled wrongly; use {@code force}. {@link #recentOperations()} keeps the last 40 operations for a
 * failure's message ({@code -Dpowercut.trace=N} keeps N).
 *
 * <p>Usage: run the workload with a cut armed at a seeded operation, then open what the device would hold after
 * the power came back on the real file system and check the promises there:
 * <pre>{@code
 * PowerCutFileSystem fs = PowerCutFileSystem.wrap(Files.createDirectory(tmp.resolve("live"))).realSyncs(false);
 * fs.cutAt(operation);                      // e.g. seeded, within the operations() of a run without a cut
 * try {
 *     runWorkload(fs.root().resolve("data"));   // the component under test, on a path of fs
 * } catch (IOException e) {
 *     assertTrue(fs.isCut(), "only the cut fails: " + e + " " + fs.recentOperations());
 * }
 * fs.cut();
 * for (PowerCutFileSystem.Variant v : PowerCutFileSystem.Variant.values()) {
 *     Path after = tmp.resolve("after-" + v);
 *     fs.materialize(after, v, seed);
 *     checkPromises(after.resolve("data"));      // reopen on the real directory
 * }
 * }</pre>
 *
 * <p>Thread-safe: every operation runs under one lock of the file system (the real I/O included), so operations
 * are totally ordered and numbered; only a blocking {@code FileChannel.lock} waits outside it. Paths of the file
 * system are immutable; its channels are safe for use by several threads, as {@link FileChannel}s are.
 */
public final class PowerCutFileSystem extends FileSystem {
    /** What {@link #materialize} keeps. */
    public enum Variant {
        /** Only what was made durable. */
        STRICT,
        /** What was made durable, plus per file a seeded random prefix of its unsynced appended bytes. */
        TORN,
        /**
         * File contents as in {@link #STRICT}, names as a journaling file system keeps them: every create, rename,
         * link and delete up to the last sync of anything (an fsync commits the whole journal, as on ext4 without
         * fast commits and XFS), plus a seeded random prefix of the ones after it, in order.
         */
        JOURNALED
    }

    /** An inode: a file's durable content, or a directory's live and durable entries. */
    static final class Node {
        final long id;
        final boolean directory;
        /** Files: the content as of the last force; null when never forced (empty). */
        byte[] durable;
        /** Directories: the real entries now. */
        final Map<String, Node> live = new TreeMap<>();
        /** Directories: the entries as of the last sync of the directory. */
        Map<String, Node> durableEntries = new TreeMap<>();

        Node(long id, boolean directory) {
            this.id = id;
            this.directory = directory;
        }
    }

    /** An operation on real files, under the file system's lock. */
    @FunctionalInterface
    interface Io<T> {
        T run() throws IOException;
    }

    /** Operations kept for {@link #recentOperations}; {@code -Dpowercut.trace=N} keeps more when diagnosing. */
    private static final int TRACE = Integer.getInteger("powercut.trace", 40);

    private final ReentrantLock lock = new ReentrantLock();
    private final PowerCutProvider provider = new PowerCutProvider(this);
    private final Path realRoot;
    private final Node root;
    private final Deque<String> trace = new ArrayDeque<>();
    /** Every directory's entries as of the last sync of anything: what a journal has committed. */
    private Map<Node, Map<String, Node>> committedNames;
    /** The directory changes since then, in order: each one directory's name set to an inode, or removed (null). */
    private final List<List<NameChange>> uncommittedNames = new ArrayList<>();
    private long nextId;
    private long operations;
    private long cutAt = Long.MAX_VALUE;
    private boolean cut;
    private volatile boolean realSyncs = true;

    private PowerCutFileSystem(Path realRoot) throws IOException {
        this.realRoot = realRoot;
        this.root = scan(realRoot);
        this.committedNames = snapshotNames();
    }

    /** One directory entry set (node) or removed (null); a rename is two, applied together. */
    private record NameChange(Node dir, String name, Node node) {
    }

    private void changed(NameChange... changes) {
        uncommittedNames.add(List.of(changes));
    }

    private Map<Node, Map<String, Node>> snapshotNames() {
        Map<Node, Map<String, Node>> out = new IdentityHashMap<>();
        snapshot(root, out);
        return out;
    }

    private static void snapshot(Node dir, Map<Node, Map<String, Node>> out) {
        out.put(dir, new TreeMap<>(dir.live));
        for (Node n : dir.live.values()) {
            if (n.directory && !out.containsKey(n)) {
                snapshot(n, out);
            }
        }
    }

    /**
     * Wraps a real directory; what it holds now counts as durable.
     *
     * @param realDirectory an existing directory of the default file system
     * @return the file system; {@link #root()} stands for the directory
     * @throws IOException when the directory cannot be read
     */
    public static PowerCutFileSystem wrap(Path realDirectory) throws IOException {
        Path r = realDirectory.toAbsolutePath().normalize();
        if (!Files.isDirectory(r)) {
            throw new IOException(r + " is not a directory");
        }
        return new PowerCutFileSystem(r);
    }

    private Node scan(Path real) throws IOException {
        if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
            Node n = new Node(nextId++, false);
            n.durable = Files.readAllBytes(real);
            return n;
        }
        Node d = new Node(nextId++, true);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(real)) {
            for (Path p : ds) {
                d.live.put(p.getFileName().toString(), scan(p));
            }
        }
        d.durableEntries = new TreeMap<>(d.live);
        return d;
    }

    /**
     * Whether a {@code force} also syncs the real file (the default). The model does not depend on it: a test
     * that runs hundreds of workloads turns it off, as real syncs on a disk would make it take minutes.
     *
     * @param on whether to sync the real files too
     * @return this file system
     */
    public PowerCutFileSystem realSyncs(boolean on) {
        realSyncs = on;
        return this;
    }

    /** @return the wrapped directory, as a path of this file system */
    public Path root() {
        return new PowerCutPath(this, realRoot);
    }

    /**
     * Arms the power cut at an operation: that operation (counted from 1 since the file system was wrapped) and
     * every later one are refused.
     *
     * @param operation the number of the first refused operation
     */
    public void cutAt(long operation) {
        lock.lock();
        try {
            cutAt = operation;
            if (operations >= operation) {
                cut = true;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Cuts the power now. */
    public void cut() {
        lock.lock();
        try {
            cut = true;
        } finally {
            lock.unlock();
        }
    }

    /** @return whether the power was cut */
    public boolean isCut() {
        lock.lock();
        try {
            return cut;
        } finally {
            lock.unlock();
        }
    }

    /** @return the operations done so far (refused ones not counted) */
    public long operations() {
        lock.lock();
        try {
            return operations;
        } finally {
            lock.unlock();
        }
    }

    /** @return the last operations done, oldest first, each "number what path", for a failure's message */
    public List<String> recentOperations() {
        lock.lock();
        try {
            return new ArrayList<>(trace);
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------------------------------ operations

    /** Counts an operation and runs it, or refuses it once the power is cut. */
    <T> T run(String what, Object target, Io<T> io) throws IOException {
        lock.lock();
        try {
            gate(what, target);
            return io.run();
        } finally {
            lock.unlock();
        }
    }

    private void gate(String what, Object target) throws IOException {
        if (!cut && operations + 1 >= cutAt) {
            cut = true;
        }
        if (cut) {
            throw new IOException("power cut");
        }
        operations++;
        if (trace.size() == TRACE) {
            trace.removeFirst();
        }
        trace.addLast(operations + " " + what + " " + target);
    }

    /** Where a real path is in the live tree: its directory's node and its name (root: no parent). */
    private record Location(Node parent, String name, Node node) {
    }

    /** @return the location of a real path inside the root, or null outside it; parent null when it is missing */
    private Location locate(Path real) {
        Path abs = real.toAbsolutePath().normalize();
        if (!abs.startsWith(realRoot)) {
            return null;
        }
        if (abs.equals(realRoot)) {
            return new Location(null, "", root);
        }
        Path rel = realRoot.relativize(abs);
        Node dir = root;
        for (int i = 0; i < rel.getNameCount() - 1; i++) {
            Node next = dir == null ? null : dir.live.get(rel.getName(i).toString());
            dir = next != null && next.directory ? next : null;
        }
        String name = rel.getFileName().toString();
        return new Location(dir, name, dir == null ? null : dir.live.get(name));
    }

    private Location writable(Path real) throws IOException {
        Location l = locate(real);
        if (l == null) {
            throw new IOException(real + " is outside the power-cut root " + realRoot + "; it may only be read");
        }
        if (l.parent == null && l.node != root) {
            throw new java.nio.file.NoSuchFileException(real.toString(), null, "its directory does not exist");
        }
        return l;
    }

    /** Checks that the model and the real directory agree on whether a path exists (a harness bug otherwise). */
    private void checkModel(Path real, Location l) {
        boolean exists = Files.exists(real, LinkOption.NOFOLLOW_LINKS);
        if (exists != (l.node != null)) {
            throw new IllegalStateException("power-cut model out of step with the real directory at " + real
                    + ": model says " + (l.node != null ? "present" : "absent"));
        }
    }

    FileChannel open(Path real, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        lock.lock();
        try {
            gate("open" + options.stream().map(o -> o.toString().toLowerCase(java.util.Locale.ROOT))
                    .sorted().collect(Collectors.joining(",", "(", ")")), real);
            boolean mutates = options.contains(StandardOpenOption.WRITE)
                    || options.contains(StandardOpenOption.APPEND) || options.contains(StandardOpenOption.CREATE)
                    || options.contains(StandardOpenOption.CREATE_NEW);
            if (options.contains(StandardOpenOption.SYNC) || options.contains(StandardOpenOption.DSYNC)) {
                // each write would be durable when it returns; modelled as not durable, a correct write-ahead log
                // opened with O_DSYNC would be reported as losing data (review of bfa5aa62)
                throw new UnsupportedOperationException("SYNC and DSYNC are not modelled: use FileChannel.force");
            }
            if (options.contains(StandardOpenOption.DELETE_ON_CLOSE)) {
                throw new UnsupportedOperationException("DELETE_ON_CLOSE is not modelled");
            }
            Location l = mutates ? writable(real) : locate(real);
            if (l != null && l.parent != null) {
                checkModel(real, l);
            }
            FileChannel ch = FileChannel.open(real, options, attrs);
            Node node = l == null ? null : l.node;
            if (l != null && node == null && l.parent != null) {
                node = new Node(nextId++, false);
                l.parent.live.put(l.name, node);
                changed(new NameChange(l.parent, l.name, node));
            }
            return new PowerCutChannel(this, node, ch, real.toString());
        } finally {
            lock.unlock();
        }
    }

    void force(Node node, FileChannel real, boolean metaData, String label) throws IOException {
        lock.lock();
        try {
            gate(metaData ? "fsync" : "fdatasync", label);
            if (realSyncs) {
                real.force(metaData);
            }
            committedNames = snapshotNames();
            uncommittedNames.clear();
            if (node == null) {
                return;
            }
            if (node.directory) {
                node.durableEntries = new TreeMap<>(node.live);
                return;
            }
            Path p = livePaths().get(node);
            if (p != null) {
                node.durable = Files.readAllBytes(p);
            } else {
                node.durable = readWhole(real, node.durable);
            }
        } finally {
            lock.unlock();
        }
    }

    /** An unlinked file's content through a channel of it, when the channel can read. */
    private static byte[] readWhole(FileChannel ch, byte[] otherwise) throws IOException {
        try {
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(ch.size()));
            while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
                // reads on
            }
            return Arrays.copyOf(b.array(), b.position());
        } catch (NonReadableChannelException e) {
            return otherwise;
        }
    }

    void createDirectory(Path real, FileAttribute<?>... attrs) throws IOException {
        lock.lock();
        try {
            gate("mkdir", real);
            Location l = writable(real);
            Files.createDirectory(real, attrs);
            Node d = new Node(nextId++, true);
            l.parent.live.put(l.name, d);
            changed(new NameChange(l.parent, l.name, d));
        } finally {
            lock.unlock();
        }
    }

    boolean delete(Path real, boolean ifExists) throws IOException {
        lock.lock();
        try {
            gate(ifExists ? "deleteIfExists" : "delete", real);
            Location l = writable(real);
            if (l.node == root) {
                throw new IOException("the power-cut root cannot be deleted");
            }
            boolean deleted;
            if (ifExists) {
                deleted = Files.deleteIfExists(real);
            } else {
                Files.delete(real);
                deleted = true;
            }
            if (deleted) {
                l.parent.live.remove(l.name);
                changed(new NameChange(l.parent, l.name, null));
            }
            return deleted;
        } finally {
            lock.unlock();
        }
    }

    void move(Path source, Path target, java.nio.file.CopyOption... options) throws IOException {
        lock.lock();
        try {
            gate("rename", source + " -> " + target.getFileName());
            Location from = writable(source);
            Location to = writable(target);
            Files.move(source, target, options);
            from.parent.live.remove(from.name);
            to.parent.live.put(to.name, from.node);
            changed(new NameChange(from.parent, from.name, null), new NameChange(to.parent, to.name, from.node));
        } finally {
            lock.unlock();
        }
    }

    void copy(Path source, Path target, java.nio.file.CopyOption... options) throws IOException {
        lock.lock();
        try {
            gate("copy", source + " -> " + target);
            Location to = writable(target);
            Files.copy(source, target, options);
            Node copied = new Node(nextId++, Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS));
            to.parent.live.put(to.name, copied);
            changed(new NameChange(to.parent, to.name, copied));
        } finally {
            lock.unlock();
        }
    }

    void createLink(Path link, Path existing) throws IOException {
        lock.lock();
        try {
            gate("link", existing + " -> " + link);
            Location to = writable(link);
            Location from = writable(existing);
            Files.createLink(link, existing);
            to.parent.live.put(to.name, from.node);
            changed(new NameChange(to.parent, to.name, from.node));
        } finally {
            lock.unlock();
        }
    }

    DirectoryStream<Path> newDirectoryStream(Path real, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        lock.lock();
        try {
            gate("list", real);
            DirectoryStream<Path> ds = Files.newDirectoryStream(real, p -> filter.accept(pathOf(p)));
            return new DirectoryStream<>() {
                @Override
                public java.util.Iterator<Path> iterator() {
                    java.util.Iterator<Path> it = ds.iterator();
                    return new java.util.Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Path next() {
                            return pathOf(it.next());
                        }
                    };
                }

                @Override
                public void close() throws IOException {
                    ds.close();
                }
            };
        } finally {
            lock.unlock();
        }
    }

    Path toRealPath(PowerCutPath p, LinkOption... options) throws IOException {
        return run("realpath", p.real(), () -> pathOf(p.real().toRealPath(options)));
    }

    PowerCutPath pathOf(Path real) {
        return new PowerCutPath(this, real);
    }

    Path unwrap(Path p) {
        if (p instanceof PowerCutPath pp && pp.getFileSystem() == this) {
            return pp.real();
        }
        throw new java.nio.file.ProviderMismatchException("not a path of this power-cut file system: " + p);
    }

    /**
     * The kernel's writeback (and a journal commit) of everything: every file's content and every directory's
     * entries as they are now become durable, as if each had been synced. Real systems do this every few seconds
     * on their own, so what a program leaves unsynced may be on the disk or not; a test calls this to put an older
     * unsynced write on the disk before a newer one that must be synced to replace it.
     *
     * @throws IOException after the cut
     */
    public void writeback() throws IOException {
        lock.lock();
        try {
            gate("writeback", realRoot);
            root.durableEntries = new TreeMap<>(root.live);
            for (Map.Entry<Node, Path> e : livePaths().entrySet()) {
                Node n = e.getKey();
                if (n.directory) {
                    n.durableEntries = new TreeMap<>(n.live);
                } else {
                    n.durable = Files.readAllBytes(e.getValue());
                }
            }
            committedNames = snapshotNames();
            uncommittedNames.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Each live inode's real path (the first name found), for reading its current content. */
    private Map<Node, Path> livePaths() {
        Map<Node, Path> out = new IdentityHashMap<>();
        walk(root, realRoot, out);
        return out;
    }

    private static void walk(Node dir, Path at, Map<Node, Path> out) {
        for (Map.Entry<String, Node> e : dir.live.entrySet()) {
            Path p = at.resolve(e.getKey());
            out.putIfAbsent(e.getValue(), p);
            if (e.getValue().directory) {
                walk(e.getValue(), p, out);
            }
        }
    }

    // -------------------------------------------------------------------------------------------- the cut

    /**
     * Writes the durable view (directories, names, contents) into a real directory, as the device would show it
     * after the power came back. Call after the cut; the file system itself is left as it is.
     *
     * @param target  a directory of the default file system that is missing or empty
     * @param variant what to keep
     * @param seed    the seed of {@link Variant#TORN}'s prefixes
     * @throws IOException when the target cannot be written
     */
    public void materialize(Path target, Variant variant, long seed) throws IOException {
        Objects.requireNonNull(variant, "variant");
        lock.lock();
        try {
            Files.createDirectories(target);
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(target)) {
                if (ds.iterator().hasNext()) {
                    throw new IOException(target + " is not empty");
                }
            }
            Random rnd = new Random(seed);
            Map<Node, Map<String, Node>> names;
            if (variant == Variant.JOURNALED) {
                names = new IdentityHashMap<>();
                committedNames.forEach((d, entries) -> names.put(d, new TreeMap<>(entries)));
                int kept = rnd.nextInt(uncommittedNames.size() + 1);
                for (List<NameChange> op : uncommittedNames.subList(0, kept)) {
                    for (NameChange c : op) {
                        Map<String, Node> entries = names.computeIfAbsent(c.dir(), k -> new TreeMap<>());
                        if (c.node() == null) {
                            entries.remove(c.name());
                        } else {
                            entries.put(c.name(), c.node());
                        }
                    }
                }
            } else {
                names = new IdentityHashMap<>();
                collectDurable(root, names);
            }
            writeDurable(root, names, target, variant == Variant.TORN ? livePaths() : null, rnd);
        } finally {
            lock.unlock();
        }
    }

    private static void collectDurable(Node dir, Map<Node, Map<String, Node>> out) {
        out.put(dir, dir.durableEntries);
        for (Node n : dir.durableEntries.values()) {
            if (n.directory && !out.containsKey(n)) {
                collectDurable(n, out);
            }
        }
    }

    private void writeDurable(Node dir, Map<Node, Map<String, Node>> names, Path target, Map<Node, Path> live,
            Random rnd) throws IOException {
        for (Map.Entry<String, Node> e : names.getOrDefault(dir, Map.of()).entrySet()) {
            Path p = target.resolve(e.getKey());
            Node n = e.getValue();
            if (n.directory) {
                Files.createDirectory(p);
                writeDurable(n, names, p, live, rnd);
            } else {
                Files.write(p, content(n, live, rnd));
            }
        }
    }

    private static byte[] content(Node n, Map<Node, Path> live, Random rnd) throws IOException {
        byte[] durable = n.durable == null ? new byte[0] : n.durable;
        Path p = live == null ? null : live.get(n);
        if (p == null) {
            return durable;
        }
        byte[] now = Files.readAllBytes(p);
        if (now.length <= durable.length
                || !Arrays.equals(now, 0, durable.length, durable, 0, durable.length)) {
            return durable;
        }
        int kept = rnd.nextInt(now.length - durable.length + 1);
        return Arrays.copyOf(now, durable.length + kept);
    }

    // ------------------------------------------------------------------------------------- FileSystem API

    @Override
    public FileSystemProvider provider() {
        return provider;
    }

    @Override
    public void close() {
        // the real directory stays; nothing to release
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public String getSeparator() {
        return realRoot.getFileSystem().getSeparator();
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        return StreamSupport.stream(realRoot.getFileSystem().getRootDirectories().spliterator(), false)
                .map(this::pathOf).map(Path.class::cast).toList();
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        return realRoot.getFileSystem().getFileStores();
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return realRoot.getFileSystem().supportedFileAttributeViews();
    }

    @Override
    public Path getPath(String first, String... more) {
        return pathOf(realRoot.getFileSystem().getPath(first, more));
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        PathMatcher m = realRoot.getFileSystem().getPathMatcher(syntaxAndPattern);
        return p -> m.matches(unwrap(p));
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        return realRoot.getFileSystem().getUserPrincipalLookupService();
    }

    @Override
    public WatchService newWatchService() {
        throw new UnsupportedOperationException("the power-cut file system has no watch service");
    }
}
