package io.edgeloop.ota.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal HTTP reverse proxy on loopback that serves the upstream's root under a path prefix and, as nginx's
 * {@code proxy_pass} does by default, sends the upstream its own {@code Host} (the upstream's address), so the
 * upstream cannot tell from the request where clients reached it. It records the paths it was asked for.
 *
 * <p>Thread-safe: the JDK server's and client's own; {@link #paths} is a concurrent list.
 */
final class ReverseProxy implements AutoCloseable {
    private static final List<String> REQUEST_HEADERS = List.of("Range", "Authorization", "Content-Type");
    private static final List<String> RESPONSE_HEADERS = List.of("Content-Range", "Content-Type", "Accept-Ranges",
            "WWW-Authenticate");
    private final HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();
    private final String prefix;
    private volatile String upstream;
    /** The raw path of every request the proxy was asked for, in order. */
    final List<String> paths = new CopyOnWriteArrayList<>();

    /**
     * @param prefix the path the upstream's root is served under, e.g. {@code /ota}
     */
    ReverseProxy(String prefix) throws IOException {
        this.prefix = prefix;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext(prefix + "/", this::forward);
        server.start();
    }

    /** Sets where requests go, e.g. {@code http://127.0.0.1:8080} (the upstream starts after the proxy). */
    void upstream(String url) {
        this.upstream = url;
    }

    /** @return the public URL the proxy serves the upstream at, {@code http://127.0.0.1:<port><prefix>} */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + prefix;
    }

    private void forward(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            paths.add(path);
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(upstream + path.substring(prefix.length())));
            for (String h : REQUEST_HEADERS) {
                String v = ex.getRequestHeaders().getFirst(h);
                if (v != null) {
                    b.header(h, v);
                }
            }
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            b.method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
            HttpResponse<byte[]> r;
            try {
                r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            for (String h : RESPONSE_HEADERS) {
                r.headers().firstValue(h).ifPresent(v -> ex.getResponseHeaders().set(h, v));
            }
            ex.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(r.body());
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
