package io.edgeloop.cli.buffer;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * An HTTP receiver on loopback that answers the n-th request (from 0) with the status a script gives, no body: a
 * receiver that refuses or fails exactly when a test needs it. Thread-safe: the JDK server's threads count the
 * requests atomically.
 */
final class ScriptedReceiver implements AutoCloseable {
    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    private ScriptedReceiver(IntUnaryOperator statusOfRequest) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/in", x -> {
            x.getRequestBody().readAllBytes();
            x.sendResponseHeaders(statusOfRequest.applyAsInt(requests.getAndIncrement()), -1);
            x.close();
        });
        server.start();
    }

    /**
     * Starts a receiver.
     *
     * @param statusOfRequest the status for the n-th request, counted from 0
     * @return the running receiver
     * @throws IOException when it cannot listen
     */
    static ScriptedReceiver start(IntUnaryOperator statusOfRequest) throws IOException {
        return new ScriptedReceiver(statusOfRequest);
    }

    /** @return the URI a drain sends to */
    String uri() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/in";
    }

    /** Counts the next request as the first again. */
    void restart() {
        requests.set(0);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
