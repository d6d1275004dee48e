package io.edgeloop.examples.http;

/**
 * Turns TCP_NODELAY on for every JDK {@code HttpServer} this JVM starts ({@code IngestServer}, {@code UpdateServer},
 * so {@code buffer ingest}, {@code bundle serve} and the example apps), by setting the JDK's
 * {@value #PROPERTY} system property before the first one starts.
 *
 * <p>Why: the JDK server writes a response's status line and headers in one write and its body in a second, and
 * leaves Nagle's algorithm on unless this property is {@code true}. On a connection the client keeps open, the
 * body's small segment then waits for the ACK of the headers, which the client delays by about 40 ms on Linux: a
 * device polling back to back, a publisher or a sender of a batch the server refuses waited ~40 ms per answer (a
 * 404 with a JSON body: 44 ms per request without the property, 1.3 ms with it, loopback, JDK 17). The JDK reads the
 * property once, when its first server in the JVM starts; setting it later changes nothing. It applies to every
 * JDK server in the JVM, which is why the libraries leave it to the program (as a library leaves the logging
 * binding to it) and this class is called where a program starts.
 *
 * <p>An explicit {@code -D}{@value #PROPERTY}{@code =false} on the command line wins (the unfixed path, for
 * {@code bench serve}).
 *
 * <p>Thread-safe: stateless.
 */
public final class TcpNoDelay {
    /** The JDK server's system property: {@code true} sets TCP_NODELAY on every connection it accepts. */
    public static final String PROPERTY = "sun.net.httpserver.nodelay";

    private TcpNoDelay() {
    }

    /**
     * Sets {@value #PROPERTY} to {@code true} unless it is set already. Call it before any JDK {@code HttpServer}
     * starts in this JVM.
     *
     * @return whether the JDK servers started from now on (if none started before) set TCP_NODELAY
     */
    public static boolean enable() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, "true");
        }
        return Boolean.parseBoolean(System.getProperty(PROPERTY));
    }
}
