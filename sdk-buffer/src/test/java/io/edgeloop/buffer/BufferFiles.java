package io.edgeloop.buffer;

import io.edgeloop.buffer.log.Segment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Test helpers on a buffer directory's files: its segments, a copy of it, every record read. */
final class BufferFiles {
    private BufferFiles() {
    }

    /** The segment files, oldest first. */
    static List<Path> segments(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Segment.parseBase(p.getFileName().toString()).isPresent()).sorted()
                    .collect(Collectors.toList());
        }
    }

    /**
     * Copies a buffer directory, skipping files of the given names. Taken while a buffer is open, the copy is what
     * a process kill would leave (the files and the page cache), with no holder.
     */
    static Path copy(Path from, Path to, Set<String> skip) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else if (!skip.contains(p.getFileName().toString())) {
                    Files.copy(p, q);
                }
            }
        }
        return to;
    }

    /** Reads every record with a new reader; returns how many. */
    static long readAll(DurableBuffer b) throws IOException {
        BufferReader r = b.reader();
        long n = 0;
        for (List<BufferedRecord> batch = r.next(1000, 1 << 20); !batch.isEmpty(); batch = r.next(1000, 1 << 20)) {
            n += batch.size();
        }
        return n;
    }
}
