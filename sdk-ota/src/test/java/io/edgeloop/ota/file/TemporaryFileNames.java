package io.edgeloop.ota.file;

/** For child JVMs of tests in other packages: stands in for a writer of another PID namespace. */
public final class TemporaryFileNames {
    private TemporaryFileNames() {
    }

    /**
     * Names this JVM's temporary files by {@code pid} from now on, as a process whose pid in its own namespace is
     * {@code pid} would.
     *
     * @param pid the pid
     */
    public static void nameBy(long pid) {
        TemporaryFile.nameByPid(pid);
    }
}
