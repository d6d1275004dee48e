package io.edgeloop.tck;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.transport.Envelope;
import io.edgeloop.api.transport.TransportProvider;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

@DisplayName("The transport contract kit")
class TransportContractKitTest {

    /** A correct in-memory transport run through the kit. */
    static class CorrectTransport extends TransportContractTest {
        @Override
        protected TransportProvider provider() {
            return new InMemoryTransportProvider();
        }

        @Override
        protected ComponentConfig config() {
            return ComponentConfig.empty();
        }

        @Override
        protected List<Envelope> received() {
            return InMemoryTransportProvider.RECEIVED;
        }

        @Override
        protected ComponentConfig unreachableConfig() {
            return ComponentConfig.of(Map.of("reachable", "false"));
        }

        @Override
        protected void stopReceiver() {
            InMemoryTransportProvider.UP.set(false);
        }

        @Override
        protected void startReceiver() {
            InMemoryTransportProvider.UP.set(true);
        }
    }

    /** A transport that acknowledges what it did not deliver. */
    static class LossyTransport extends CorrectTransport {
        @Override
        protected ComponentConfig config() {
            return ComponentConfig.of(Map.of("mode", "drop-last"));
        }
    }

    /** A transport that acknowledges at once and delivers only when closed. */
    static class DeferringTransport extends CorrectTransport {
        @Override
        protected ComponentConfig config() {
            return ComponentConfig.of(Map.of("mode", "defer-until-close"));
        }
    }

    @Test
    @DisplayName("fails a transport that acknowledges at once and delivers only at close()") // every delivery test
    void failsDeferringTransport() {
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(DeferringTransport.class)).execute()
                .testEvents().assertStatistics(s -> s.failed(9));
    }

    @Test
    @DisplayName("passes a correct transport")
    void passesCorrectTransport() {
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(CorrectTransport.class)).execute()
                .testEvents().assertStatistics(s -> s.failed(0).succeeded(23).aborted(3)); // no pause hook (2 tests), no module-info
    }

    @Test
    @DisplayName("fails a transport that acknowledges envelopes it did not deliver")
    void failsLossyTransport() {
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(LossyTransport.class)).execute()
                .testEvents().assertStatistics(s -> s.failed(9));
    }
}
