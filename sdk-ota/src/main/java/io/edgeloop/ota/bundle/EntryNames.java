package io.edgeloop.ota.bundle;

import java.util.regex.Pattern;

/** Which archive entry names a bundle may hold. Thread-safe: stateless. */
final class EntryNames {
    static final String MANIFEST = "manifest.json";
    static final String SIGNATURES = "signatures.json";
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,99}");

    private EntryNames() {
    }

    /** Relative, forward slashes, no empty, '.' or '..' segments, no control characters, at most 8 levels. */
    static boolean isSafe(String name) {
        if (name.isEmpty() || name.length() > 255 || name.startsWith("/") || name.endsWith("/")) {
            return false;
        }
        String[] segs = name.split("/", -1);
        if (segs.length > 8) {
            return false;
        }
        for (String s : segs) {
            if (!SEGMENT.matcher(s).matches() || s.equals(".") || s.equals("..")) {
                return false;
            }
        }
        return true;
    }

    static boolean isAllowed(String name) {
        return name.equals(MANIFEST) || name.equals(SIGNATURES) || (name.startsWith("artifacts/") && isSafe(name));
    }
}
