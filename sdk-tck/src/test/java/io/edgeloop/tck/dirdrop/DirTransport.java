// Copied from the reviewer's consumer project (/tmp/rev-int/app, review rev-s6-integrator of 2026-11-30): the
// outside team's correct "dir-drop" transport, base of the deliberately broken transports in Broken.
package io.edgeloop.tck.dirdrop;

import io.edgeloop.api.record.IdempotencyKey;
import io.edgeloop.api.transport.Batch;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.Transport;
import io.edgeloop.api.transport.TransportException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/** Writes each batch to one file in a directory (temp, fsync, atomic rename). Thread-safe. */
public class DirTransport implements Transport {
    protected final Path dir;
    private volatile boolean closed;

    public DirTransport(Path dir) {
        this.dir = dir;
    }

    protected boolean isClosed() {
        return closed;
    }

    @Override
    public void send(Batch batch) throws TransportException {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        try {
            write(batch.envelopes());
        } catch (IOException e) {
            throw new TransportException("cannot write to " + dir + ": " + e, true, e);
        }
    }

    protected void write(List<Envelope> envs) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Envelope e : envs) {
            sb.append(encode(e)).append('\n');
        }
        Path tmp = dir.resolve(".tmp-" + UUID.randomUUID());
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, dir.resolve("batch-" + System.nanoTime() + "-" + UUID.randomUUID() + ".txt"),
                StandardCopyOption.ATOMIC_MOVE);
    }

    static String encode(Envelope e) {
        IdempotencyKey k = e.key();
        Base64.Encoder b = Base64.getEncoder();
        return b.encodeToString(k.deviceId().getBytes(StandardCharsets.UTF_8)) + "\t"
                + b.encodeToString(k.stream().getBytes(StandardCharsets.UTF_8)) + "\t" + k.epoch() + "\t"
                + k.sequence() + "\t" + e.timestampMillis() + "\t" + e.priority() + "\t"
                + b.encodeToString(e.payloadBytes());
    }

    static Envelope decode(String line) {
        // -1: keep the trailing empty field of an empty payload (split dropped it, and the empty-payload kit check
        // found it)
        String[] f = line.split("\t", -1);
        Base64.Decoder d = Base64.getDecoder();
        return new Envelope(new IdempotencyKey(new String(d.decode(f[0]), StandardCharsets.UTF_8),
                new String(d.decode(f[1]), StandardCharsets.UTF_8), Long.parseLong(f[2]), Long.parseLong(f[3])),
                Long.parseLong(f[4]), Integer.parseInt(f[5]), d.decode(f[6]));
    }

    /** Everything in the directory, in file order. */
    public static List<Envelope> readAll(Path dir) throws IOException {
        List<Envelope> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "batch-*")) {
            ds.forEach(files::add);
        }
        files.sort(Comparator.comparing(p -> Long.parseLong(p.getFileName().toString().split("-")[1])));
        for (Path p : files) {
            for (String l : Files.readAllLines(p)) {
                if (!l.isEmpty()) {
                    out.add(decode(l));
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        closed = true;
    }
}
