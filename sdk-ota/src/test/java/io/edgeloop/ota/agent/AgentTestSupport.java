package io.edgeloop.ota.agent;

import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.testing.TestIntRuntimeProvider;
import io.edgeloop.ota.trust.TrustRoot;
import java.io.IOException;
import java.time.Clock;
import java.time.ZoneOffset;

final class AgentTestSupport {
    static final Clock CLOCK = Clock.fixed(Fixtures.NOW, ZoneOffset.UTC);

    private AgentTestSupport() {
    }

    static DeviceAgent.Builder agent(DeviceStorage storage, TrustRoot trust, TargetProfile target) {
        return DeviceAgent.builder().deviceId("dev-1").model("har").target(target).trust(trust).storage(storage).clock(CLOCK);
    }

    static DeviceAgent open(DeviceStorage storage, TrustRoot trust, TargetProfile target) throws IOException {
        return agent(storage, trust, target).open();
    }

    static DeviceAgent.Builder faulty(DeviceAgent.Builder b) {
        return b.runtimes(n -> new TestIntRuntimeProvider().create(ComponentConfig.of(java.util.Map.of("fault", "true"))));
    }
}
