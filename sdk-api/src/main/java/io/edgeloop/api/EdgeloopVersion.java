package io.edgeloop.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version of the Edgeloop SDK on the class or module path.
 *
 * <p>Thread-safe: the version is read once when the class initialises and never changes.
 */
public final class EdgeloopVersion {
    private static final String VERSION = readVersion();

    private EdgeloopVersion() {
    }

    /**
     * Returns the SDK version, for example {@code 0.1.0-SNAPSHOT}.
     *
     * @return the version string from the build
     */
    public static String get() {
        return VERSION;
    }

    private static String readVersion() {
        try (InputStream in = EdgeloopVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read io/edgeloop/api/version.properties", e);
        }
    }
}
