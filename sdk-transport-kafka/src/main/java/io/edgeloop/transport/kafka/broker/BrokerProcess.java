package io.edgeloop.transport.kafka.broker;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;

/**
 * Entry point of the child JVM that {@link LocalKafkaBroker} starts: runs {@code kafka.Kafka} with the given
 * properties file and halts as soon as its standard input closes, which happens when the parent JVM exits in
 * any way (even {@code kill -9}), so no broker outlives the test or benchmark that started it.
 *
 * <p>Thread-safe: not applicable (a {@code main} method).
 */
public final class BrokerProcess {
    /** Exit status when the parent went away. */
    static final int PARENT_GONE = 3;
    /** Exit status when the Kafka broker classes are missing. */
    static final int NO_BROKER = 4;

    private BrokerProcess() {
    }

    /**
     * Runs the broker.
     *
     * @param args one argument: the {@code server.properties} path
     * @throws Exception when the broker fails to start
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: BrokerProcess <server.properties>");
            System.exit(2);
        }
        Thread watchdog = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // The parent never writes; any byte is ignored.
                }
            } catch (IOException e) {
                // A broken pipe means the same as end of input: the parent is gone.
            }
            Runtime.getRuntime().halt(PARENT_GONE);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Class<?> kafka;
        try {
            kafka = Class.forName("kafka.Kafka");
        } catch (ClassNotFoundException e) {
            System.err.println("The Kafka broker (kafka.Kafka) is not on the class path: add"
                    + " org.apache.kafka:kafka_2.13 to the class path the broker is started with");
            System.exit(NO_BROKER);
            return;
        }
        try {
            kafka.getMethod("main", String[].class).invoke(null, (Object) new String[] {args[0]});
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
    }
}
