package io.edgeloop.ota.bundle;

import java.io.IOException;
import java.util.Objects;

/**
 * A bundle was refused. {@link #check()} names the check that failed; the message is one line:
 * {@code <check>: <what was wrong>}.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class BundleVerificationException extends IOException {
    private static final long serialVersionUID = 1L;

    private final Check check;

    /**
     * @param check  the failed check
     * @param detail what was wrong
     */
    public BundleVerificationException(Check check, String detail) {
        super(Objects.requireNonNull(check, "check").id() + ": " + oneLine(detail));
        this.check = check;
    }

    /**
     * @param check  the failed check
     * @param detail what was wrong
     * @param cause  the underlying error
     */
    public BundleVerificationException(Check check, String detail, Throwable cause) {
        super(Objects.requireNonNull(check, "check").id() + ": " + oneLine(detail), cause);
        this.check = check;
    }

    private static String oneLine(String s) {
        String t = String.valueOf(s).replaceAll("\\s*[\\r\\n]+\\s*", " ");
        return t.length() > 400 ? t.substring(0, 400) + "..." : t;
    }

    /** @return the failed check */
    public Check check() {
        return check;
    }
}
