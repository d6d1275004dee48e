// Copied from the reviewer's consumer project (/tmp/rev-int/app/src/test/java/com/example/broken, review
// rev-s6-integrator of 2026-11-30): the correct dir-drop transport and the deliberately broken variants that passed
// the kit before that review's fixes; each must now fail the kit check written for it.
package io.edgeloop.tck.dirdrop;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import io.edgeloop.api.transport.TransportProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** Deliberately wrong transports, one fault each. */
public final class Broken {
    /** Threads started by LEAK_THREAD transports, so the kit self-test can stop them after the run. */
    public static final List<Thread> LEAKED = new CopyOnWriteArrayList<>();

    private Broken() {
    }

    enum Mode { CORRECT, DROP_OVER_30, REORDER, LEAK_THREAD, DROP_EMPTY, BAD_REACHABLE, DAEMON_LEAK, UNCHECKED_OUTAGE }

    static final class T extends DirTransport {
        final Mode mode;

        T(Path dir, Mode mode) {
            super(dir);
            this.mode = mode;
            if (mode == Mode.LEAK_THREAD) {
                Thread leak = new Thread(() -> {
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "leaky-keepalive");
                leak.start(); // BUG: non-daemon, and close() never stops it
                LEAKED.add(leak);
            }
            if (mode == Mode.DAEMON_LEAK) {
                Thread leak = new Thread(() -> {
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "dir-flusher");
                leak.setDaemon(true);
                leak.start(); // BUG (the reviewer's Transports.DaemonLeak): a daemon thread close() never stops
                LEAKED.add(leak);
            }
        }

        @Override
        public boolean isReachable() {
            if (mode == Mode.BAD_REACHABLE) {
                // BUG (the reviewer's Transports.BadReachable): an unchecked exception instead of an answer
                throw new IllegalStateException("isReachable blew up");
            }
            return super.isReachable();
        }

        @Override
        public void send(Batch b) throws TransportException {
            if (isClosed()) {
                throw new IllegalStateException("closed");
            }
            List<Envelope> envs = new ArrayList<>(b.envelopes());
            switch (mode) {
                case DROP_OVER_30 -> {
                    while (envs.size() > 30) {
                        envs.remove(envs.size() - 1); // BUG: a fixed 30-envelope frame, the rest acknowledged
                    }
                }
                case REORDER -> Collections.reverse(envs); // BUG: every batch arrives reversed
                // BUG (the reviewer's Transports.DropEmpty): envelopes with an empty payload are acknowledged, not sent
                case DROP_EMPTY -> envs.removeIf(e -> e.payloadSize() == 0);
                default -> { }
            }
            try {
                write(envs);
            } catch (IOException e) {
                if (mode == Mode.UNCHECKED_OUTAGE) {
                    // BUG: an outage escapes as an unchecked exception, so the buffer cannot tell it is retryable
                    throw new java.io.UncheckedIOException(e);
                }
                throw new TransportException("cannot write to " + dir + ": " + e, true, e);
            }
        }
    }

    /** send() after close still writes the batch, then throws; sendAsync is overridden and refuses after close. */
    static final class LateWriter extends DirTransport {
        LateWriter(Path d) {
            super(d);
        }

        @Override
        public void send(Batch b) throws TransportException {
            if (isClosed()) {
                try {
                    write(b.envelopes()); // BUG: delivers, then refuses
                } catch (IOException e) {
                    // the reviewer's version ignores this too
                }
                throw new IllegalStateException("closed");
            }
            super.send(b);
        }

        @Override
        public CompletableFuture<Void> sendAsync(Batch b) {
            if (isClosed()) {
                return CompletableFuture.failedFuture(new IllegalStateException("closed"));
            }
            return super.sendAsync(b);
        }
    }

    abstract static class P implements TransportProvider {
        abstract Mode mode();

        @Override
        public String name() {
            return mode() == Mode.CORRECT ? "dir-drop" : mode().name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        @Override
        public Transport create(ComponentConfig c) {
            c.requireKnownKeys("dir-drop transport", java.util.Set.of("dir"));
            return new T(Path.of(c.requireString("dir")), mode());
        }
    }

    /** The correct dir-drop transport. */
    public static final class Correct extends P {
        @Override
        Mode mode() {
            return Mode.CORRECT;
        }
    }

    /** Keeps only the first 30 envelopes of a batch and acknowledges all. */
    public static final class DropOver30 extends P {
        @Override
        Mode mode() {
            return Mode.DROP_OVER_30;
        }
    }

    /** Writes every batch reversed. */
    public static final class Reorder extends P {
        @Override
        Mode mode() {
            return Mode.REORDER;
        }
    }

    /** Starts a non-daemon thread per transport that close() never stops. */
    public static final class LeakThread extends P {
        @Override
        Mode mode() {
            return Mode.LEAK_THREAD;
        }
    }

    /** Acknowledges envelopes with an empty payload without delivering them. */
    public static final class DropEmpty extends P {
        @Override
        Mode mode() {
            return Mode.DROP_EMPTY;
        }
    }

    /** Throws from isReachable(). */
    public static final class BadReachable extends P {
        @Override
        Mode mode() {
            return Mode.BAD_REACHABLE;
        }
    }

    /** Starts a daemon thread per transport that close() never stops. */
    public static final class DaemonLeak extends P {
        @Override
        Mode mode() {
            return Mode.DAEMON_LEAK;
        }
    }

    /** Throws UncheckedIOException instead of a retryable TransportException when the directory is gone. */
    public static final class UncheckedOutage extends P {
        @Override
        Mode mode() {
            return Mode.UNCHECKED_OUTAGE;
        }
    }

    /** Delivers a synchronous send after close(), then throws; its own sendAsync refuses. */
    public static final class LateWriterProvider implements TransportProvider {
        @Override
        public String name() {
            return "late-writer";
        }

        @Override
        public Transport create(ComponentConfig c) {
            c.requireKnownKeys("dir-drop transport", java.util.Set.of("dir"));
            return new LateWriter(Path.of(c.requireString("dir")));
        }
    }
}
