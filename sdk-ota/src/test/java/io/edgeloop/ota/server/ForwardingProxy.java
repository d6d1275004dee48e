package io.edgeloop.ota.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal TCP forwarding proxy on loopback (as a port forward, {@code socat} or a layer-4 load balancer): every
 * connection is relayed byte for byte to the upstream port, so the {@code Host} header arrives as the client sent
 * it, naming the proxy. It records the request lines it relays, to show which requests went through it.
 *
 * <p>Thread-safe: each connection has its own threads; {@link #requests} is a concurrent list.
 */
final class ForwardingProxy implements AutoCloseable {
    private static final Pattern REQUEST_LINE = Pattern.compile("(?m)^(GET|PUT|HEAD) (\\S+) HTTP/1\\.[01]$");
    private final ServerSocket socket;
    private final int upstreamPort;
    /** {@code "GET /path"} for every request relayed, in order. */
    final List<String> requests = new CopyOnWriteArrayList<>();

    ForwardingProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(this::accept, "forwarding-proxy");
        t.setDaemon(true);
        t.start();
    }

    /** @return the proxy's URL, {@code http://127.0.0.1:<port>} */
    String url() {
        return "http://127.0.0.1:" + socket.getLocalPort();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                daemon(() -> relay(client, upstream, true));
                daemon(() -> relay(upstream, client, false));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "forwarding-proxy-relay");
        t.setDaemon(true);
        t.start();
    }

    private void relay(Socket from, Socket to, boolean requests) {
        StringBuilder seen = new StringBuilder();
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            byte[] buf = new byte[64 * 1024];
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                out.write(buf, 0, n);
                out.flush();
                if (requests) {
                    seen.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    int end = seen.lastIndexOf("\n");
                    if (end >= 0) {
                        Matcher m = REQUEST_LINE.matcher(seen.substring(0, end + 1));
                        while (m.find()) {
                            this.requests.add(m.group(1) + " " + m.group(2));
                        }
                        seen.delete(0, end + 1);
                    }
                }
            }
        } catch (IOException e) {
            // one side closed
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
