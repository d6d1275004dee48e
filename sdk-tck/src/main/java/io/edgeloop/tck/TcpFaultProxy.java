package io.edgeloop.tck;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback TCP proxy in front of a real receiver that a contract test can take down and bring back on the same
 * port ({@link #stop()} / {@link #start()}) or freeze ({@link #pause()} / {@link #resume()}: connections stay open
 * but no byte moves in either direction, so a transport waiting for an acknowledgement blocks). It implements the
 * receiver hooks of {@link TransportContractTest} for any transport that talks TCP to its receiver: point the
 * transport's configuration at {@link #port()} instead of the receiver's port.
 *
 * <p>Thread-safe: every method may be called from any thread; one lock object guards the state.
 */
public final class TcpFaultProxy implements AutoCloseable {
    private final InetSocketAddress target;
    private final Object lock = new Object();
    private final List<Socket> sockets = new ArrayList<>();
    private ServerSocket server;
    private int port;
    private boolean paused;
    private boolean closed;

    private TcpFaultProxy(InetSocketAddress target) {
        this.target = target;
    }

    /**
     * Starts a proxy on a free loopback port that forwards to {@code target}.
     *
     * @param target the real receiver
     * @return the running proxy
     * @throws IOException when no port can be bound
     */
    public static TcpFaultProxy forward(InetSocketAddress target) throws IOException {
        TcpFaultProxy p = new TcpFaultProxy(target);
        p.start();
        return p;
    }

    /**
     * Starts a proxy on a free loopback port that forwards to {@code 127.0.0.1:port}.
     *
     * @param targetPort the real receiver's loopback port
     * @return the running proxy
     * @throws IOException when no port can be bound
     */
    public static TcpFaultProxy forward(int targetPort) throws IOException {
        return forward(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
    }

    /**
     * Returns the loopback port the proxy listens on; it stays the same across {@link #stop()} and {@link #start()}.
     *
     * @return the port
     */
    public int port() {
        synchronized (lock) {
            return port;
        }
    }

    /**
     * Listens again on the same port after {@link #stop()}; does nothing when already listening.
     *
     * @throws IOException when the port cannot be bound again
     */
    public void start() throws IOException {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the proxy is closed");
            }
            if (server != null) {
                return;
            }
            if (port == 0) {
                // below the ephemeral range, so no outgoing connection takes the port while the proxy is stopped
                port = LoopbackPorts.restartable();
            }
            ServerSocket s = bindWithin(port, 3_000);
            server = s;
            port = s.getLocalPort();
            Thread t = new Thread(() -> acceptLoop(s), "tck-proxy-accept-" + port);
            t.setDaemon(true);
            t.start();
        }
    }

    /**
     * Binds the port, trying again for up to {@code millis} while it is in use: right after {@link #stop()} the
     * old listening socket may still be releasing it (a bind failed once on a busy build machine).
     */
    private static ServerSocket bindWithin(int port, long millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (true) {
            ServerSocket s = new ServerSocket();
            try {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
                return s;
            } catch (java.net.BindException e) {
                s.close();
                if (port == 0 || System.nanoTime() > deadline) {
                    throw new java.net.BindException("loopback port " + port + " is still in use: " + e.getMessage());
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
        }
    }

    /**
     * Takes the receiver down as a client sees it: stops listening (connections are refused) and resets every open
     * connection.
     */
    public void stop() {
        synchronized (lock) {
            closeQuietly(server);
            server = null;
            for (Socket s : sockets) {
                closeQuietly(s);
            }
            sockets.clear();
            paused = false;
            lock.notifyAll();
        }
    }

    /** Freezes every connection, current and future: no byte is forwarded until {@link #resume()}. */
    public void pause() {
        synchronized (lock) {
            paused = true;
        }
    }

    /** Lets bytes flow again after {@link #pause()}. */
    public void resume() {
        synchronized (lock) {
            paused = false;
            lock.notifyAll();
        }
    }

    /** Stops the proxy for good. Idempotent. */
    @Override
    public void close() {
        stop();
        synchronized (lock) {
            closed = true;
        }
    }

    private void acceptLoop(ServerSocket s) {
        while (true) {
            Socket client;
            try {
                client = s.accept();
            } catch (IOException e) {
                return; // stopped
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 5_000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            synchronized (lock) {
                if (server != s) {
                    closeQuietly(client);
                    closeQuietly(upstream);
                    return;
                }
                sockets.add(client);
                sockets.add(upstream);
            }
            pump(client, upstream);
            pump(upstream, client);
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    awaitFlowing(from);
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (SocketException e) {
                // reset by stop() or by either side
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tck-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void awaitFlowing(Socket from) throws SocketException {
        synchronized (lock) {
            while (paused && !from.isClosed()) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SocketException("interrupted");
                }
            }
            if (from.isClosed()) {
                throw new SocketException("closed");
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // closing a socket twice or after a reset: nothing to do
        }
    }
}
