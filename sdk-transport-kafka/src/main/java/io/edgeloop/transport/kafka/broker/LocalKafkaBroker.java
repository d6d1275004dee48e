package io.edgeloop.transport.kafka.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A single-node Apache Kafka broker in KRaft mode (one process is both broker and controller), listening on
 * free loopback ports and running in a child JVM, so a test or benchmark can {@linkplain #kill() kill it with
 * SIGKILL} and {@linkplain #start() start it again} on the same ports and data.
 *
 * <p>The child JVM runs {@code kafka.Kafka} (through {@link BrokerProcess}, which exits when this JVM does) on
 * the given class path, by default this JVM's own; that class path must hold {@code org.apache.kafka:kafka_2.13}
 * and its dependencies. Before the first start the storage is formatted with {@code kafka.tools.StorageTool}. The
 * broker's output goes to {@link #logFile()}.
 *
 * <p>Thread-safe: every method may be called from any thread; lifecycle changes are serialised.
 */
public final class LocalKafkaBroker implements AutoCloseable {
    private final Path dir;
    private final boolean ownsDir;
    private final String classPath;
    private final List<String> jvmOptions;
    private final Duration startTimeout;
    private final Map<String, String> extraProperties;
    private final int partitions;
    private final Object lock = new Object();
    private int brokerPort;
    private int controllerPort;
    private Process process;
    private boolean formatted;
    private boolean closed;

    private LocalKafkaBroker(Builder b) throws IOException {
        this.ownsDir = b.directory == null;
        this.dir = ownsDir ? Files.createTempDirectory("edgeloop-kafka-") : Files.createDirectories(b.directory);
        this.classPath = absolute(b.classPath);
        this.jvmOptions = List.copyOf(b.jvmOptions);
        this.startTimeout = b.startTimeout;
        this.extraProperties = Map.copyOf(b.properties);
        this.partitions = b.partitions;
    }

    /** @return a builder with the defaults described on its setters */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the broker (formatting its storage the first time) and waits until it serves clients. Does nothing
     * when it is already running.
     *
     * @throws IOException when the broker does not come up within the start timeout; the message holds the tail
     *                     of its log
     */
    public void start() throws IOException {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("Local Kafka broker in " + dir + " is closed");
            }
            if (process != null && process.isAlive()) {
                return;
            }
            if (!formatted) {
                brokerPort = freePort();
                controllerPort = freePort();
                while (controllerPort == brokerPort) {
                    controllerPort = freePort();
                }
                writeProperties();
                format();
                formatted = true;
            }
            process = launch(BrokerProcess.class.getName(), List.of(propertiesFile().toString()), true);
            awaitReady();
        }
    }

    /**
     * Kills the broker process with SIGKILL (no shutdown, no flush), as a crash or power cut of the broker host
     * would, and waits until it is gone. Does nothing when it is not running.
     *
     * @throws IOException when the process does not die
     */
    public void kill() throws IOException {
        synchronized (lock) {
            if (process == null) {
                return;
            }
            process.destroyForcibly();
            waitGone(process);
            process = null;
        }
    }

    /**
     * Stops the broker gracefully (SIGTERM: controlled shutdown), killing it if it takes longer than 30 seconds.
     *
     * @throws IOException when the process does not die
     */
    public void stop() throws IOException {
        synchronized (lock) {
            if (process == null) {
                return;
            }
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
            waitGone(process);
            process = null;
        }
    }

    /** @return whether the broker process is alive */
    public boolean isRunning() {
        synchronized (lock) {
            return process != null && process.isAlive();
        }
    }

    /**
     * Returns the address clients bootstrap from.
     *
     * @return {@code 127.0.0.1:port}
     * @throws IllegalStateException before the first {@link #start()}
     */
    public String bootstrapServers() {
        synchronized (lock) {
            if (!formatted) {
                throw new IllegalStateException("Local Kafka broker not started yet");
            }
            return "127.0.0.1:" + brokerPort;
        }
    }

    /**
     * Returns a {@code kafka://} URI for a topic on this broker.
     *
     * @param topic the topic
     * @return the URI
     */
    public String uri(String topic) {
        return "kafka://" + bootstrapServers() + "/" + topic;
    }

    /** @return the directory holding the properties, data and log */
    public Path directory() {
        return dir;
    }

    /** @return the broker's log file (standard output and error of the child JVM) */
    public Path logFile() {
        return dir.resolve("broker.log");
    }

    /**
     * Creates a topic (replication factor 1) unless it exists, and waits until it is visible with a leader for each
     * partition (at most the start timeout).
     *
     * @param topic      the name
     * @param partitions the number of partitions
     * @throws IOException when the broker refuses or does not answer
     */
    public void createTopic(String topic, int partitions) throws IOException {
        try (Admin admin = admin()) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all()
                        .get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IOException("Creating topic " + topic + " on " + bootstrapServers() + " failed: "
                            + e.getCause().getMessage(), e.getCause());
                }
            }
            // CreateTopics returns once the controller has the topic; the broker serving metadata may learn of it a
            // moment later (describe then fails with UnknownTopicOrPartition, a retriable error), and a partition
            // without a leader yet cannot take a record. Ask again until the topic is there with a leader for every
            // partition.
            long deadline = System.nanoTime() + startTimeout.toNanos();
            while (true) {
                long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                try {
                    TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames()
                            .get(left, TimeUnit.MILLISECONDS).get(topic);
                    if (d != null && d.partitions().size() >= partitions
                            && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                        return;
                    }
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                        throw e;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new java.util.concurrent.TimeoutException("topic " + topic + " has no leader for every "
                            + "partition after " + startTimeout);
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while creating topic " + topic, e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("Topic " + topic + " did not become visible on " + bootstrapServers(), e);
        }
    }

    /**
     * Returns the bytes of the broker's log segments ({@code *.log} files), to watch disk use. Index files are
     * left out: Kafka preallocates them sparse (10 MiB each), so their sizes say little about the disk used.
     *
     * @return bytes of log segments under the data directory
     * @throws IOException when the directory cannot be walked
     */
    public long dataBytes() throws IOException {
        Path data = dir.resolve("data");
        if (!Files.isDirectory(data)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(data)) {
            return s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".log")).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }

    /**
     * Stops the broker and, when this object created the directory, deletes it. Idempotent.
     *
     * @throws IOException when stopping or deleting fails
     */
    @Override
    public void close() throws IOException {
        synchronized (lock) {
            if (closed) {
                return;
            }
            stop();
            closed = true;
            if (ownsDir) {
                deleteRecursively(dir);
            }
        }
    }

    private Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        return Admin.create(p);
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        awaitListening(deadline);
        try (Admin admin = admin()) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IOException("Local Kafka broker exited with status " + process.exitValue()
                            + " while starting; log " + logFile() + " ends with: " + logTail());
                }
                try {
                    if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    // Not up yet.
                }
                if (System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IOException("Local Kafka broker did not come up within " + startTimeout + "; log "
                            + logFile() + " ends with: " + logTail());
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while waiting for the local Kafka broker", e);
        }
    }

    /**
     * Waits until the broker's port accepts a TCP connection (or the deadline passes, or the process dies), before
     * any Kafka client is created: a client started earlier logs a WARN for every refused connection attempt while
     * the JVM boots (6 to 19 lines per start), which said nothing wrong.
     */
    private void awaitListening(long deadline) throws IOException {
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", brokerPort);
        try {
            while (process.isAlive() && System.nanoTime() < deadline) {
                try (Socket s = new Socket()) {
                    s.connect(address, 1000);
                    return;
                } catch (IOException notYet) {
                    Thread.sleep(50);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while waiting for the local Kafka broker", e);
        }
        // a dead process or the timeout is reported by the caller, with the broker's log
    }

    private void format() throws IOException {
        Process p = launch("kafka.tools.StorageTool", List.of("format", "-t", Uuid.randomUuid().toString(), "-c",
                propertiesFile().toString(), "--ignore-formatted"), false);
        try {
            if (!p.waitFor(startTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("Formatting Kafka storage in " + dir + " took longer than " + startTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("Interrupted while formatting Kafka storage", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException("Formatting Kafka storage in " + dir + " failed (exit " + p.exitValue() + "; is"
                    + " org.apache.kafka:kafka_2.13 on the class path?); log " + logFile() + " ends with: " + logTail());
        }
    }

    private Process launch(String mainClass, List<String> args, boolean watchParent) throws IOException {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmOptions);
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
        if (!watchParent) {
            pb.redirectInput(ProcessBuilder.Redirect.from(Paths.get("/dev/null").toFile()));
        }
        Process p = pb.start();
        if (watchParent) {
            // Keep the child's standard input open: it ends when this JVM exits, and the child then halts.
            p.getOutputStream();
        }
        return p;
    }

    private Path propertiesFile() {
        return dir.resolve("server.properties");
    }

    private void writeProperties() throws IOException {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.put("log.dirs", dir.resolve("data").toString());
        p.put("num.partitions", Integer.toString(partitions));
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "true");
        p.putAll(extraProperties);
        try (Writer w = Files.newBufferedWriter(propertiesFile(), StandardCharsets.UTF_8)) {
            for (var e : p.entrySet()) {
                w.write(e.getKey() + "=" + e.getValue().replace("\\", "\\\\") + "\n");
            }
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private static void waitGone(Process p) throws IOException {
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IOException("Kafka broker process " + p.pid() + " did not exit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while waiting for the Kafka broker to exit", e);
        }
    }

    /** The child runs in the broker directory, so relative entries (as in {@code java -jar x.jar}) must go. */
    private static String absolute(String classPath) {
        List<String> out = new ArrayList<>();
        for (String e : classPath.split(java.io.File.pathSeparator)) {
            if (!e.isEmpty()) {
                out.add(Paths.get(e).toAbsolutePath().toString());
            }
        }
        return String.join(java.io.File.pathSeparator, out);
    }

    /**
     * A free loopback port below the ephemeral range (Linux: ip_local_port_range): a restart binds the same port,
     * and while the broker is down an ephemeral port could be given to any outgoing connection on the machine.
     */
    private static int freePort() throws IOException {
        int high;
        // read as a line: Files.readString of a /proc file returns only its first byte on JDK 17 (its size is 0)
        try (java.io.BufferedReader r = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
            high = Integer.parseInt(r.readLine().trim().split("\\s+")[0]) - 1;
        } catch (IOException | RuntimeException e) {
            high = 32767;
        }
        for (int attempt = 0; high > 10000 && attempt < 100; attempt++) {
            int port = java.util.concurrent.ThreadLocalRandom.current().nextInt(10000, high + 1);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (IOException e) {
                // taken: try another
            }
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * Builds a {@link LocalKafkaBroker}. Not thread-safe.
     */
    public static final class Builder {
        private Path directory;
        private String classPath = System.getProperty("java.class.path");
        private final List<String> jvmOptions = new ArrayList<>(List.of("-Xms256m", "-Xmx768m",
                "-XX:+ExitOnOutOfMemoryError"));
        private Duration startTimeout = Duration.ofSeconds(90);
        private final Map<String, String> properties = new LinkedHashMap<>();
        private int partitions = 1;

        private Builder() {
        }

        /**
         * Sets the directory for properties, data and log; default a new temporary directory deleted on close.
         *
         * @param directory the directory (created if missing; kept on close)
         * @return this builder
         */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Sets the class path of the broker JVM; default this JVM's {@code java.class.path}.
         *
         * @param classPath a class path holding {@code org.apache.kafka:kafka_2.13} and its dependencies
         * @return this builder
         */
        public Builder classPath(String classPath) {
            this.classPath = Objects.requireNonNull(classPath, "classPath");
            return this;
        }

        /**
         * Replaces the broker JVM's options; default {@code -Xms256m -Xmx768m -XX:+ExitOnOutOfMemoryError}.
         *
         * @param options the options
         * @return this builder
         */
        public Builder jvmOptions(List<String> options) {
            Objects.requireNonNull(options, "options");
            jvmOptions.clear();
            jvmOptions.addAll(options);
            return this;
        }

        /**
         * Sets how long a start may take; default 90 seconds.
         *
         * @param timeout the timeout, positive
         * @return this builder
         */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Sets the default partition count of auto-created topics; default 1.
         *
         * @param partitions at least 1
         * @return this builder
         */
        public Builder partitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        /**
         * Adds or overrides a broker setting in {@code server.properties}.
         *
         * @param key   the setting
         * @param value its value
         * @return this builder
         */
        public Builder property(String key, String value) {
            properties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Builds the broker (creating its directory); does not start it.
         *
         * @return the broker
         * @throws IOException when the directory cannot be created
         */
        public LocalKafkaBroker build() throws IOException {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
            }
            if (startTimeout.isNegative() || startTimeout.isZero()) {
                throw new IllegalArgumentException("startTimeout must be positive, got " + startTimeout);
            }
            if (classPath == null || classPath.isBlank()) {
                throw new IllegalArgumentException("classPath must not be empty");
            }
            return new LocalKafkaBroker(this);
        }
    }
}
