package io.edgeloop.transport.kafka.publish;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.config.ConfigException;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.transport.kafka.KafkaClientConfig;
import io.edgeloop.transport.kafka.KafkaEndpoint;
import io.edgeloop.transport.kafka.KafkaHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes batches to one Kafka topic through an idempotent producer with {@code acks=all}: the record key is
 * the device id (a device's records keep their order in one partition), the idempotency key travels in a header
 * (see {@link KafkaHeaders}), the value is the envelope payload.
 *
 * <p>{@link #send(Batch)} hands every envelope to the producer, then waits until the broker acknowledged each
 * one (all in-sync replicas have it). Broker restarts and leader changes inside the send timeout are ridden out
 * by the producer's own in-order retries, which the broker deduplicates by producer id and sequence. Anything
 * else is a {@link TransportException}: retryable for network trouble, timeouts and refusals of the endpoint
 * (invalid topic, failed authentication, denied by ACLs: no record is at fault, so the records wait in their
 * buffers until the cluster is fixed, and the producer is recreated after an authentication or authorization
 * error), not retryable only for records that can never be accepted (too large). A retried batch may reach Kafka
 * twice; consumers drop the copy by idempotency key.
 *
 * <p>Configuration: {@code uri} ({@code kafka://host:port[,host:port]/topic}, required); {@code timeout} (how
 * long one send may take, default 30s); {@code linger} (default 5ms); {@code batch-size} (default 256KiB);
 * {@code compression} ({@code none}, {@code gzip}, {@code snappy}, {@code lz4}, {@code zstd}; default none);
 * {@code client-id}; {@code async-queue} (how many {@code sendAsync} batches may wait for the hand-off thread,
 * default 1024); and any {@code kafka.*} key naming a producer setting, passed to the producer unchanged, or
 * read by a plug-in the settings name ({@code kafka-plugin-keys} lists such keys). The constructor refuses any
 * other key and checks the producer settings as Kafka will (see
 * {@link KafkaClientConfig}), so a misspelt key or an invalid value is a {@link ConfigException} before anything is
 * sent. A setting only the producer's creation can check fails the first send as a not-retryable
 * {@link TransportException} with Kafka's reason.
 *
 * <p>Thread-safe: unlike the general {@link Transport} contract, {@code send} may be called by many forwarder
 * threads at once, and sharing one transport (one producer, one set of connections) among all the buffers a
 * gateway drains is the intended use: concurrent sends fill the producer's per-partition batches. The producer is
 * created lazily on the first send, and so is the one hand-off thread ({@code edgeloop-kafka-handoff}) that
 * {@link #sendAsync(Batch)} queues its batches to. {@link #close()} is idempotent and may be called from any
 * thread: it stops and joins the hand-off thread, lets records in flight finish for at most 2 seconds, then
 * abandons them, so sends still waiting (a broker that is down, or no metadata yet) and batches still queued end
 * at once with {@link IllegalStateException} (a {@code sendAsync} future completes with it), not a retryable
 * {@link TransportException}: a send ended by close cannot succeed on this instance. The caller keeps those
 * records for a resend through another transport.
 */
public final class KafkaTransport implements Transport {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** How long close() lets records in flight finish before abandoning them (their sends then fail). */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);
    private static final Set<String> KEYS = Set.of(KafkaEndpoint.URI_KEY, "timeout", "linger", "batch-size",
            "compression", "client-id", "async-queue");
    private static final int DEFAULT_ASYNC_QUEUE = 1024;

    private final KafkaEndpoint endpoint;
    private final Duration timeout;
    private final Map<String, Object> producerConfig;
    private final Object lock = new Object();
    /** sendAsync batches waiting for the hand-off thread, oldest first. */
    private final BlockingQueue<HandOff> handOffs;
    private KafkaProducer<byte[], byte[]> producer;
    /** Started by the first sendAsync, under {@link #lock}; stopped and joined by close. */
    private Thread handOffThread;
    private volatile boolean closed;

    /**
     * Validates the configuration; connects nothing.
     *
     * @param config the settings described in the class comment
     * @throws ConfigException when a setting is missing or invalid
     */
    public KafkaTransport(ComponentConfig config) {
        Objects.requireNonNull(config, "config");
        KafkaClientConfig.PRODUCER.requireKnownKeys(config, KEYS, "kafka transport");
        this.endpoint = KafkaEndpoint.from(config);
        this.timeout = config.getDuration("timeout", DEFAULT_TIMEOUT);
        if (timeout.compareTo(Duration.ofMillis(500)) < 0) {
            throw new ConfigException("timeout", "Invalid value '" + config.getString("timeout", "") + "' for"
                    + " configuration key 'timeout': expected at least 500ms");
        }
        Duration linger = config.getDuration("linger", Duration.ofMillis(5));
        long batchSize = config.getSizeBytes("batch-size", 256 * 1024);
        if (batchSize < 1 || batchSize > Integer.MAX_VALUE) {
            throw new ConfigException("batch-size", "Invalid value '" + config.getString("batch-size", "") + "' for"
                    + " configuration key 'batch-size': expected 1 byte to 2GiB");
        }
        String compression = config.getString("compression", "none").toLowerCase(Locale.ROOT);
        if (!List.of("none", "gzip", "snappy", "lz4", "zstd").contains(compression)) {
            throw new ConfigException("compression", "Invalid value '" + compression + "' for configuration key"
                    + " 'compression': expected one of none, gzip, snappy, lz4, zstd");
        }
        this.handOffs = new ArrayBlockingQueue<>(config.getInt("async-queue", DEFAULT_ASYNC_QUEUE, 1, 1_000_000));
        long timeoutMs = timeout.toMillis();
        long requestMs = Math.max(250, Math.min(30_000, timeoutMs / 2));
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoint.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) requestMs);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE,
                Math.max(timeoutMs, requestMs + linger.toMillis())));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        p.put(ProducerConfig.LINGER_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, linger.toMillis()));
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, (int) batchSize);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, config.getString("client-id", "edgeloop-transport"));
        p.putAll(endpoint.clientOverrides());
        KafkaClientConfig.PRODUCER.validate(p, endpoint.clientOverrides());
        this.producerConfig = Map.copyOf(p);
    }

    /** @return the endpoint this transport publishes to */
    public KafkaEndpoint endpoint() {
        return endpoint;
    }

    @Override
    public void send(Batch batch) throws TransportException {
        Objects.requireNonNull(batch, "batch");
        KafkaProducer<byte[], byte[]> p = producer();
        List<Future<RecordMetadata>> acks = new ArrayList<>(batch.size());
        long deadline = System.nanoTime() + timeout.toNanos() + CLOSE_TIMEOUT.toNanos();
        try {
            KafkaHeaders.Layout layout = new KafkaHeaders.Layout(endpoint.topic());
            for (Envelope e : batch.envelopes()) {
                Future<RecordMetadata> ack = p.send(layout.toProducerRecord(e));
                if (ack.isDone()) {
                    // Failed before leaving the client (no metadata within the timeout, too large): the rest
                    // of the batch would wait just as long, so report now.
                    await(p, batch, ack, deadline);
                }
                acks.add(ack);
            }
        } catch (KafkaException e) {
            throw failureOrClosed(p, batch, e);
        } catch (IllegalStateException e) {
            throw closedOr(batch, e);
        }
        for (Future<RecordMetadata> ack : acks) {
            await(p, batch, ack, deadline);
        }
    }

    /**
     * Queues the batch for this transport's hand-off thread and returns at once: it never blocks its caller, even
     * while the producer has no metadata for the topic (the cluster unreachable since the first send, or a topic
     * that does not exist and is not created) or its buffer is full, which block Kafka's {@code send} for up to
     * {@code max.block.ms} (the {@code timeout} setting). The hand-off thread takes the batches in the order they
     * were queued and gives their records to the producer, so batches queued one after another by one thread keep
     * their order per partition (per device); the idempotent producer keeps it through its retries.
     *
     * <p>The future completes on the producer's I/O thread when Kafka acknowledged the last record. It fails with
     * a retryable {@link TransportException} on the first failure; when the batch could not be handed to the
     * producer within {@code timeout} of this call (no metadata, full buffer); when its records were not
     * acknowledged in time; and at once when {@code async-queue} batches already wait for the hand-off thread
     * (it is blocked: the caller keeps the records and backs off, as after any retryable failure). It fails with a
     * not-retryable {@link TransportException} when the producer cannot be created from the settings, and with
     * {@link IllegalStateException} when the transport is (or gets) closed before the acknowledgement. A batch
     * whose future failed may still have reached Kafka (consumers drop the copy a resend makes by idempotency key).
     *
     * @param batch the batch
     * @return a future completed on acknowledgement
     */
    @Override
    public CompletableFuture<Void> sendAsync(Batch batch) {
        Objects.requireNonNull(batch, "batch");
        CompletableFuture<Void> done = new CompletableFuture<>();
        HandOff h = new HandOff(batch, done);
        synchronized (lock) {
            if (closed) {
                done.completeExceptionally(new IllegalStateException("Kafka transport to " + endpoint
                        + " is closed"));
                return done;
            }
            if (!handOffs.offer(h)) {
                done.completeExceptionally(new TransportException("Kafka transport to " + endpoint + " has "
                        + handOffs.size() + " batches waiting to be handed to the producer (async-queue), which"
                        + " has no metadata for the topic yet or a full buffer; " + batch + " was not sent, retry"
                        + " later", true));
                return done;
            }
            if (handOffThread == null) {
                handOffThread = new Thread(this::runHandOffs, "edgeloop-kafka-handoff " + endpoint);
                handOffThread.setDaemon(true);
                handOffThread.start();
            }
        }
        // Kafka's own max.block.ms runs from the hand-off, later than this call when batches queue up behind a
        // blocked one: this fails the batch within the timeout of the call instead.
        h.handed.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((v, error) -> {
            if (error instanceof TimeoutException) {
                done.completeExceptionally(closed ? closedDuringSend(error) : new TransportException("Kafka "
                        + endpoint + " could not take " + batch + " within " + timeout + ": the producer has no"
                        + " metadata for topic '" + endpoint.topic() + "' (cluster unreachable or topic missing)"
                        + " or its buffer is full", true, error));
            }
        });
        // The producer's delivery timeout fails every record in time; this only guards against a callback that
        // never comes (a producer closed with records pending).
        long limitMs = timeout.plus(CLOSE_TIMEOUT).toMillis();
        done.orTimeout(limitMs, TimeUnit.MILLISECONDS);
        return done.handle((v, error) -> {
            if (error instanceof TimeoutException && closed) {
                throw new CompletionException(closedDuringSend(error));
            }
            if (error instanceof TimeoutException) {
                throw new CompletionException(new TransportException("Kafka " + endpoint
                        + " did not acknowledge " + batch + " within " + timeout, true, error));
            }
            if (error != null) {
                throw error instanceof CompletionException ce ? ce
                        : new CompletionException(error);
            }
            return v;
        });
    }

    /** The hand-off thread: gives queued batches to the producer, oldest first, until close. */
    private void runHandOffs() {
        try {
            while (!closed) {
                HandOff h = handOffs.take();
                try {
                    h.run();
                } catch (RuntimeException e) {
                    // a bug or an unexpected client failure: fail this batch, keep serving the others
                    h.done.completeExceptionally(closed ? closedDuringSend(e) : new TransportException("Kafka"
                            + " producer for " + endpoint + " failed on " + h.batch + ": " + e, true, e));
                } finally {
                    h.handed.complete(null);
                }
            }
        } catch (InterruptedException e) {
            // close(): it fails what is still queued
        }
    }

    /** One sendAsync batch on its way to the producer. */
    private final class HandOff {
        final Batch batch;
        final CompletableFuture<Void> done;
        /** Completed once the batch left the queue and its records are with the producer (or it failed). */
        final CompletableFuture<Void> handed = new CompletableFuture<>();

        HandOff(Batch batch, CompletableFuture<Void> done) {
            this.batch = batch;
            this.done = done;
        }

        /** Runs on the hand-off thread. */
        void run() {
            if (done.isDone()) {
                return; // timed out while queued: its records stay with the caller, unsent
            }
            if (closed) {
                done.completeExceptionally(closedDuringSend(null));
                return;
            }
            KafkaProducer<byte[], byte[]> p;
            try {
                p = producer();
            } catch (TransportException e) {
                done.completeExceptionally(e);
                return;
            } catch (IllegalStateException e) {
                done.completeExceptionally(closedDuringSend(e));
                return;
            }
            AtomicInteger left = new AtomicInteger(batch.size());
            Callback onAck = (metadata, error) -> {
                if (error != null) {
                    done.completeExceptionally(closed ? closedDuringSend(error) : failure(p, batch, error));
                } else if (left.decrementAndGet() == 0) {
                    done.complete(null);
                }
            };
            try {
                KafkaHeaders.Layout layout = new KafkaHeaders.Layout(endpoint.topic());
                for (Envelope e : batch.envelopes()) {
                    p.send(layout.toProducerRecord(e), onAck);
                    if (done.isDone()) {
                        break; // failed (or timed out): the rest would fail alike
                    }
                }
            } catch (KafkaException e) {
                done.completeExceptionally(closed ? closedDuringSend(e) : failure(p, batch, e));
            } catch (IllegalStateException e) {
                done.completeExceptionally(closed ? closedDuringSend(e) : new TransportException("Kafka producer"
                        + " for " + endpoint + " failed on " + batch + ": " + e.getMessage(), true, e));
            }
        }
    }

    private void await(KafkaProducer<byte[], byte[]> p, Batch batch, Future<RecordMetadata> ack, long deadline)
            throws TransportException {
        try {
            ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw failureOrClosed(p, batch, e.getCause() == null ? e : e.getCause());
        } catch (TimeoutException e) {
            if (closed) {
                throw closedDuringSend(e);
            }
            throw new TransportException("Kafka " + endpoint + " did not acknowledge " + batch + " within "
                    + timeout, true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("Interrupted while waiting for Kafka " + endpoint + " to acknowledge "
                    + batch, true, e);
        }
    }

    private KafkaProducer<byte[], byte[]> producer() throws TransportException {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("Kafka transport to " + endpoint + " is closed");
            }
            if (producer == null) {
                try {
                    producer = new KafkaProducer<>(producerConfig);
                } catch (KafkaException e) {
                    // a setting only the producer's construction could check: no resend can help
                    boolean config = KafkaClientConfig.isConfigurationError(e);
                    throw new TransportException("Cannot create a Kafka producer for " + endpoint + ": "
                            + KafkaClientConfig.rootMessage(e) + (config ? " (a configuration error: fix the"
                            + " kafka.* settings)" : ""), !config, e);
                }
            }
            return producer;
        }
    }

    private TransportException closedOr(Batch batch, RuntimeException e) {
        if (closed) {
            throw closedDuringSend(e);
        }
        return new TransportException("Kafka producer for " + endpoint + " failed on " + batch + ": "
                + e.getMessage(), true, e);
    }

    /**
     * A send that {@link #close()} ended: not retryable on this instance, so not a {@link TransportException} a
     * forwarder would retry here; the caller keeps the records.
     */
    private IllegalStateException closedDuringSend(Throwable cause) {
        return new IllegalStateException("Kafka transport to " + endpoint + " was closed during a send; the batch"
                + " was not acknowledged (its records stay with the caller)", cause);
    }

    /** {@link #failure}, unless the transport was closed meanwhile: then the send ended because of that. */
    private TransportException failureOrClosed(KafkaProducer<byte[], byte[]> p, Batch batch, Throwable cause) {
        if (closed) {
            throw closedDuringSend(cause);
        }
        return failure(p, batch, cause);
    }

    private TransportException failure(KafkaProducer<byte[], byte[]> p, Batch batch, Throwable cause) {
        boolean permanent = refusesRecords(cause);
        String fix = permanent ? " (resending cannot help: check the record size limits)"
                : endpointRefused(cause) ? " (the cluster refuses every record: check the topic name, credentials "
                + "and ACLs; the records are kept and sent once it accepts)" : "";
        if (cause instanceof AuthorizationException || cause instanceof AuthenticationException) {
            // an idempotent producer may be left in a fatal state by these; start afresh once the cluster is fixed
            discardProducer(p);
        }
        return new TransportException("Kafka " + endpoint + " did not acknowledge " + batch + ": " + cause.getMessage()
                + fix, !permanent, cause);
    }

    /**
     * Says whether Kafka refused the records themselves, so that sending them again can never succeed. Only size
     * limits do; a refusal of the endpoint (an invalid topic, failed authentication, a missing ACL) refuses every
     * record alike and is retryable, because skipping records until it is fixed would lose them.
     *
     * @param cause the producer's error
     * @return true for {@link RecordTooLargeException} and {@link RecordBatchTooLargeException}
     */
    static boolean refusesRecords(Throwable cause) {
        return cause instanceof RecordTooLargeException || cause instanceof RecordBatchTooLargeException;
    }

    private static boolean endpointRefused(Throwable cause) {
        return cause instanceof InvalidTopicException || cause instanceof AuthorizationException
                || cause instanceof AuthenticationException;
    }

    /** Drops a failed producer unless already replaced (closed on a thread of its own, never its I/O thread). */
    private void discardProducer(KafkaProducer<byte[], byte[]> p) {
        synchronized (lock) {
            if (producer != p) {
                return;
            }
            producer = null;
        }
        if (p != null) {
            Thread t = new Thread(() -> {
                try {
                    p.close(Duration.ZERO);
                } catch (KafkaException e) {
                    // the producer is abandoned either way; its unacknowledged records stay in their buffers
                }
            }, "edgeloop-kafka-discard");
            t.setDaemon(true);
            t.start();
        }
    }

    @Override
    public void close() throws TransportException {
        KafkaProducer<byte[], byte[]> p;
        Thread handOff;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            p = producer;
            producer = null;
            handOff = handOffThread;
        }
        if (handOff != null) {
            handOff.interrupt(); // out of its queue wait, or out of a producer send waiting for metadata or memory
        }
        TransportException failed = null;
        if (p != null) {
            try {
                p.close(CLOSE_GRACE);
            } catch (KafkaException e) {
                failed = new TransportException("Closing the Kafka producer for " + endpoint + " failed: "
                        + e.getMessage(), false, e);
            }
        }
        if (handOff != null) {
            try {
                handOff.join(CLOSE_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (HandOff h; (h = handOffs.poll()) != null; ) {
            h.done.completeExceptionally(closedDuringSend(null));
            h.handed.complete(null);
        }
        if (failed != null) {
            throw failed;
        }
    }

    @Override
    public String toString() {
        return "KafkaTransport[" + endpoint + "]";
    }
}
