package io.edgeloop.buffer;

import java.io.IOException;

/**
 * The file system ran out of space (ENOSPC or quota) while the buffer wrote. The failed append is not durable and
 * not visible; whatever was partly written was cut off again. The buffer stays usable: appends succeed again
 * once space frees.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class DiskFullException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was being written
     * @param cause   the file system's error
     */
    public DiskFullException(String message, IOException cause) {
        super(message, cause);
    }

    /**
     * Returns whether an I/O error means the disk (or the user's quota) is full.
     *
     * @param e the error
     * @return true for ENOSPC and EDQUOT
     */
    public static boolean isDiskFull(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded")
                    || m.contains("ENOSPC") || m.contains("There is not enough space on the disk"))) {
                return true;
            }
        }
        return false;
    }
}
