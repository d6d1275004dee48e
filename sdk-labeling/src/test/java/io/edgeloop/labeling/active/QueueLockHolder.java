package io.edgeloop.labeling.active;

import java.nio.file.Path;

/**
 * A separate JVM for {@link ExpertFilesTest}: opens a queue (taking its lock), prints {@code locked}, and holds it
 * until its standard input closes or it is killed.
 */
public final class QueueLockHolder {
    private QueueLockHolder() {
    }

    /**
     * @param args the queue directory
     * @throws Exception on any failure (the parent test sees the exit code)
     */
    public static void main(String[] args) throws Exception {
        try (FileQueueExpert q = new FileQueueExpert(Path.of(args[0]), 2)) {
            System.out.println(q.queued().isEmpty() ? "locked" : "locked with questions");
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold the lock until the parent closes our input
            }
        }
    }
}
