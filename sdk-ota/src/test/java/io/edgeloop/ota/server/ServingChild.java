package io.edgeloop.ota.server;

import io.edgeloop.ota.file.TemporaryFileNames;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * Run in a child JVM: serves a channel store on a free loopback port, prints the server's URL on stdout and serves
 * until killed (the test that starts it kills it with SIGKILL mid-upload). A second argument names its temporary
 * files by that pid, standing in for a server in another PID namespace.
 */
public final class ServingChild {
    private ServingChild() {
    }

    /**
     * @param args the store's root, optionally the pid to name temporary files by
     * @throws Exception when the server cannot start
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 1) {
            TemporaryFileNames.nameBy(Long.parseLong(args[1]));
        }
        UpdateServer s = new UpdateServer(ChannelStore.withoutVerification(Path.of(args[0])), new InetSocketAddress("127.0.0.1", 0),
                1 << 24);
        System.out.println(s.url());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
