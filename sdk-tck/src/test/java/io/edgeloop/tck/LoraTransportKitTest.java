package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.TransportProvider;
import io.edgeloop.tck.lora.Gateway;
import io.edgeloop.tck.lora.LoraTransportProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The transport kit run against a real TCP transport (a copy of the reviewer's third-party "lora" transport) behind
 * a {@link TcpFaultProxy}: the correct transport passes everything, and each deliberately broken variant is failed
 * by the contract test that targets its defect.
 */
@DisplayName("The transport contract kit against a TCP transport")
class LoraTransportKitTest {
    private static Gateway gateway;

    static synchronized Gateway gateway() {
        if (gateway == null) {
            try {
                gateway = new Gateway();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return gateway;
    }

    /** The correct transport; subclasses switch on one fault. */
    static class Lora extends TransportContractTest {
        TcpFaultProxy proxy;

        @BeforeEach
        void startProxy() throws IOException {
            proxy = TcpFaultProxy.forward(gateway().port());
        }

        @AfterEach
        void stopProxy() {
            proxy.close();
        }

        String fault() {
            return "none";
        }

        @Override
        protected TransportProvider provider() {
            return new LoraTransportProvider();
        }

        @Override
        protected ComponentConfig config() {
            // a 3 s ack wait (the copy's default is 10 s) keeps the kit's silent-receiver test short
            return ComponentConfig.of(Map.of("port", String.valueOf(proxy.port()), "fault", fault(),
                    "ack-timeout", "3s"));
        }

        @Override
        protected List<Envelope> received() {
            return gateway().received();
        }

        @Override
        protected ComponentConfig unreachableConfig() {
            return ComponentConfig.of(Map.of("port", "9", "fault", fault()));
        }

        @Override
        protected TcpFaultProxy faultProxy() {
            return proxy;
        }
    }

    /** After one failed send, acknowledges every batch without sending it. */
    static class DropAfterFailure extends Lora {
        @Override
        String fault() {
            return "drop-after-failure";
        }
    }

    /** Sends zero instead of the envelope's timestamp and priority. */
    static class NoMeta extends Lora {
        @Override
        String fault() {
            return "no-meta";
        }
    }

    /** close() waits for a blocked send to finish. */
    static class CloseBlocks extends Lora {
        @Override
        String fault() {
            return "close-blocks";
        }

        @Override
        protected Duration closeTimeout() {
            // the kit waits this long for the close that never ends the send; 1 s fails it as surely as 5 s
            return Duration.ofSeconds(1);
        }
    }

    /** sendAsync after close completes normally. */
    static class AsyncAfterCloseOk extends Lora {
        @Override
        String fault() {
            return "async-after-close-ok";
        }
    }

    /** An acknowledgement that does not come within the ack timeout is taken as delivered. */
    static class Optimist extends Lora {
        @Override
        String fault() {
            return "ack-timeout-ok";
        }
    }

    /** The correct transport with an acknowledgement limit shorter than the blocked-send test's 500 ms probe. */
    static class QuickAck extends Lora {
        @Override
        protected ComponentConfig config() {
            return ComponentConfig.of(Map.of("port", String.valueOf(proxy.port()), "fault", fault(),
                    "ack-timeout", "450ms"));
        }
    }

    /** The optimist with an ack timeout longer than the kit's bound for one send. */
    static class SlowOptimist extends Optimist {
        @Override
        protected ComponentConfig config() {
            return ComponentConfig.of(Map.of("port", String.valueOf(proxy.port()), "fault", fault(),
                    "ack-timeout", "3s"));
        }

        @Override
        protected Duration sendTimeout() {
            return Duration.ofSeconds(2); // shorter than its 3 s ack timeout, as 30 s is shorter than 35 s
        }
    }

    /** A send to the unreachable receiver never returns. */
    static class Hang extends Lora {
        @Override
        String fault() {
            return "hang";
        }

        @Override
        protected Duration sendTimeout() {
            return Duration.ofSeconds(1); // a send that never returns fails at any bound
        }
    }

    @Test
    @DisplayName("passes the correct transport, skipping nothing")
    void passesCorrectTransport() {
        KitResults r = KitResults.run(Lora.class);
        assertEquals(Set.of(), r.failed(), r.describeFailures());
        // test-classes have no module-info.class: only the module-info check is skipped
        assertEquals(Set.of("isDeclaredInModuleInfo"), r.aborted());
        assertEquals(25, r.tests.succeeded().count());
    }

    @Test
    @DisplayName("skips, does not fail, the close-ends-a-blocked-send test for a correct transport whose "
            + "acknowledgement limit (450 ms) ends the send before the test can close it")
    void skipsBlockedSendTestWhenTheAckLimitIsShort() {
        // before: "send() to a silent receiver failed before close(): the kit cannot test a blocked send" (a failure)
        KitResults r = KitResults.run(QuickAck.class);
        assertFalse(r.failed().contains("closeFromAnotherThreadEndsBlockedSend"), r.describeFailures());
        assertTrue(r.aborted().contains("closeFromAnotherThreadEndsBlockedSend"), "aborted: " + r.aborted());
        assertFalse(r.failed().contains("sendWithoutAcknowledgementDoesNotReturnNormally"), r.describeFailures());
    }

    @Test
    @DisplayName("does not pass the optimist whose ack timeout outlasts sendTimeout(): the unacknowledged-send test "
            + "is skipped with the reason, not passed")
    void slowOptimistIsNotPassed() {
        // before: passed (a 35 s optimist against the 30 s bound: 25 succeeded, 0 failed)
        KitResults r = KitResults.run(SlowOptimist.class);
        assertTrue(r.aborted().contains("sendWithoutAcknowledgementDoesNotReturnNormally"), "aborted: " + r.aborted()
                + r.describeFailures());
    }

    @Test
    @DisplayName("fails a transport that acknowledges batches without delivering them after one failure")
    void failsDropAfterFailure() {
        assertFails(DropAfterFailure.class, "reusesInstanceAfterOutage");
    }

    @Test
    @DisplayName("fails a transport that loses the envelope's timestamp and priority")
    void failsNoMeta() {
        assertFails(NoMeta.class, "deliversAcknowledgedBatch", "deliversSeveralBatches", "deliversLargePayload",
                "keepsUnusualKeys", "sendAsyncCompletesOnAcknowledgement");
    }

    @Test
    @DisplayName("fails a transport whose close() waits for a blocked send")
    void failsCloseBlocks() {
        assertFails(CloseBlocks.class, "closeFromAnotherThreadEndsBlockedSend");
    }

    @Test
    @DisplayName("fails a transport whose sendAsync succeeds after close()")
    void failsAsyncAfterCloseOk() {
        assertFails(AsyncAfterCloseOk.class, "sendAsyncAfterCloseFails");
    }

    @Test
    @DisplayName("fails a transport whose send returns normally when the acknowledgement did not come in time")
    void failsOptimist() {
        // its ack timeout (3 s) is longer than the blocked-send test waits before close(), which it passes
        KitResults r = KitResults.run(Optimist.class);
        assertEquals(Set.of("sendWithoutAcknowledgementDoesNotReturnNormally"), r.failed(), r.describeFailures());
    }

    @Test
    @DisplayName("fails, instead of hanging, a transport whose send never returns")
    void failsHang() {
        assertFails(Hang.class, "unreachableIsRetryableTransportException", "sendAsyncFailsWithTransportException");
    }

    private static void assertFails(Class<?> kit, String... expected) {
        KitResults r = KitResults.run(kit);
        for (String t : expected) {
            assertTrue(r.failed().contains(t), kit.getSimpleName() + " must fail " + t + "; failed: " + r.failed()
                    + r.describeFailures());
        }
    }
}
