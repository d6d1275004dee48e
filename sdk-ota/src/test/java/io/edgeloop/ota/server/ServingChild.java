package io.edgeloop.ota.server;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * Run in a child JVM: serves a channel store on a free loopback port, prints the server's URL on stdout and serves
 * until killed (the test that starts it kills it with SIGKILL mid-upload).
 */
public final class ServingChild {
    private ServingChild() {
    }

    /**
     * @param args the store's root
     * @throws Exception when the server cannot start
     */
    public static void main(String[] args) throws Exception {
        UpdateServer s = new UpdateServer(new ChannelStore(Path.of(args[0])), new InetSocketAddress("127.0.0.1", 0),
                1 << 24);
        System.out.println(s.url());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
