package io.edgeloop.ota.bundle;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A runtime version constraint: space-separated comparators ({@code >=1.0.0 <2.0.0}), all of which must hold,
 * or {@code *} for any version. Versions compare numerically by major, minor, patch; missing parts are 0 and a
 * pre-release or build suffix ({@code -rc1}, {@code +abc}, {@code -SNAPSHOT}) is ignored.
 *
 * <p>Thread-safe: immutable.
 */
public final class VersionRange {
    private final String text;
    private final List<String> ops = new ArrayList<>();
    private final List<int[]> bounds = new ArrayList<>();

    private VersionRange(String text) {
        this.text = text;
    }

    /**
     * Parses a constraint.
     *
     * @param text e.g. {@code >=1.0 <2}, {@code =1.2.3} or {@code *}
     * @return the range
     * @throws IllegalArgumentException when malformed
     */
    public static VersionRange parse(String text) {
        Objects.requireNonNull(text, "text");
        VersionRange r = new VersionRange(text.trim());
        if (r.text.equals("*") || r.text.isEmpty()) {
            return r;
        }
        for (String part : r.text.split("\\s+")) {
            String op;
            if (part.startsWith(">=") || part.startsWith("<=")) {
                op = part.substring(0, 2);
            } else if (part.startsWith(">") || part.startsWith("<") || part.startsWith("=")) {
                op = part.substring(0, 1);
            } else {
                op = "=";
            }
            r.ops.add(op);
            r.bounds.add(version(part.substring(op.length() - (part.startsWith(op) ? 0 : op.length()))));
        }
        return r;
    }

    /**
     * Parses a version into {major, minor, patch}.
     *
     * @param v a version such as {@code 1.2.3-rc1}
     * @return the numeric parts
     * @throws IllegalArgumentException when not a version
     */
    public static int[] version(String v) {
        String core = v.trim().split("[-+]", 2)[0];
        String[] p = core.split("\\.");
        if (p.length == 0 || p.length > 3) {
            throw new IllegalArgumentException("not a version: '" + v + "'");
        }
        int[] out = new int[3];
        for (int i = 0; i < p.length; i++) {
            try {
                out[i] = Integer.parseInt(p[i]);
            } catch (NumberFormatException e) {
                // no cause: NumberFormatException's "For input string" would only repeat the text
                throw new IllegalArgumentException("not a version: '" + v + "' (each part a number, such as 1.2.3)");
            }
            if (out[i] < 0) {
                throw new IllegalArgumentException("not a version: '" + v + "'");
            }
        }
        return out;
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) {
            int c = Integer.compare(a[i], b[i]);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /**
     * @param version a version string
     * @return true when every comparator holds
     */
    public boolean matches(String version) {
        int[] v;
        try {
            v = version(version);
        } catch (IllegalArgumentException e) {
            return false;
        }
        for (int i = 0; i < ops.size(); i++) {
            int c = compare(v, bounds.get(i));
            boolean ok;
            switch (ops.get(i)) {
                case ">=": ok = c >= 0; break;
                case "<=": ok = c <= 0; break;
                case ">": ok = c > 0; break;
                case "<": ok = c < 0; break;
                default: ok = c == 0; break;
            }
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return text.isEmpty() ? "*" : text;
    }
}
