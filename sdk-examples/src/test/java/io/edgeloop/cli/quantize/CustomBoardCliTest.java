package io.edgeloop.cli.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.api.config.ComponentConfig;
import io.edgeloop.api.runtime.ModelRuntime;
import io.edgeloop.api.runtime.ModelRuntimeProvider;
import io.edgeloop.api.spi.ProviderLoader;
import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.cli.InProcessCli;
import io.edgeloop.examples.customtarget.Stm32l031ProfileProvider;
import io.edgeloop.ota.agent.DeviceAgent;
import io.edgeloop.ota.agent.FileDeviceStorage;
import io.edgeloop.ota.agent.InstallOutcome;
import io.edgeloop.ota.agent.InstallReport;
import io.edgeloop.ota.trust.TrustRoot;
import io.edgeloop.quantize.parity.ParityHarness;
import io.edgeloop.quantize.parity.ParityTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A board of one's own from train to device: {@link Stm32l031ProfileProvider} (sdk-examples) is registered in the test
 * resources' META-INF/services, as a team's jar would be (edgeloop.jar does not register it:
 * {@code ExampleBoardRegistrationTest}), so the CLI in this JVM takes {@code stm32l031} like a built-in id.
 */
@DisplayName("A board of one's own (stm32l031) end to end")
class CustomBoardCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private InProcessCli.Result last;

    private int run(String... args) {
        last = InProcessCli.run(args);
        return last.code();
    }

    @Test
    @DisplayName("train, quantize for the board, parity on qemu microbit, bundle, and only its own variant installs")
    void trainQuantizeParityBundleInstall(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(ParityHarness.missingTools(ParityTarget.CORTEX_M0).isEmpty(),
                "arm-none-eabi-gcc and qemu-system-arm are needed");
        Path csv = QuantizeCliTest.datasets()
                .resolve("occupancy-detection-uci/datatraining.txt");
        Path model = dir.resolve("occ.model");
        assertEquals(0, run("train", "--csv", csv.toString(), "--label", "Occupancy", "--drop", "date", "--algo",
                "logistic", "--out", model.toString()), last.err());

        Path q = dir.resolve("q-stm32l031");
        assertEquals(0, run("quantize", "--model", model.toString(), "--calib", csv.toString(), "--scheme", "int8",
                "--target", "stm32l031", "--out", q.toString()), last.err());
        JsonNode report = JSON.readTree(q.resolve("report.json").toFile());
        assertEquals("stm32l031", report.get("target").asText());
        assertEquals("cortex-m0plus", report.get("targetProfile").get("core").asText());
        assertEquals(32 * 1024, report.get("targetFlashBytes").asLong());
        assertEquals(8 * 1024, report.get("targetRamBytes").asLong());
        assertTrue(report.get("sizeSource").asText().contains("-mcpu=cortex-m0plus"), report.toString());
        assertTrue(report.get("fits").asBoolean(), report.toString());

        assertEquals(0, run("quantize", "parity", "--model", q.toString(), "--target", "stm32l031", "--vectors", "300",
                "--json"), last.err());
        JsonNode parity = JSON.readTree(last.out());
        assertEquals(0, parity.get("mismatches").asInt(), parity.toString());
        assertEquals("stm32l031", parity.get("target").asText());
        assertEquals("microbit", parity.get("simulatedMcu").asText());

        assertEquals(1, run("quantize", "parity", "--model", q.toString(), "--target", "stm32l0xx", "--vectors", "1"));
        assertTrue(last.err().contains("known targets: host, avr8, cortex-m0, cortex-m3, cortex-m4f, jvm, stm32l031"),
                last.err());

        assertEquals(0, run("bundle", "keygen", "--alg", "ed25519", "--out", dir.resolve("k").toString()), last.err());
        assertEquals(0, run("bundle", "trust", "--key", dir.resolve("k/public.pem").toString(), "--threshold", "1",
                "--out", dir.resolve("trust.json").toString()), last.err());
        Path bundle = dir.resolve("occ.bundle");
        assertEquals(0, run("bundle", "create", "--model", q.toString(), "--name", "occupancy", "--sequence", "1",
                "--version", "1.0.0", "--key", dir.resolve("k/private.pem").toString(), "--out", bundle.toString()),
                last.err());
        assertEquals(0, run("bundle", "verify", bundle.toString(), "--trust", dir.resolve("trust.json").toString(),
                "--profile", "stm32l031", "--json"), last.err());
        assertEquals(1, run("bundle", "verify", bundle.toString(), "--trust", dir.resolve("trust.json").toString(),
                "--profile", "stm32l0xx"));
        assertTrue(last.err().contains("known profiles: avr8, cortex-m0, cortex-m3, cortex-m4f, jvm, stm32l031"),
                last.err());

        TrustRoot trust = TrustRoot.read(dir.resolve("trust.json"));
        InstallReport own = agent(dir.resolve("own"), Stm32l031ProfileProvider.STM32L031, trust).install(bundle);
        assertEquals(InstallOutcome.INSTALLED, own.outcome(), own.toString());
        TargetProfile otherVariant = TargetProfile.builder().id("stm32l031")
                .core(Stm32l031ProfileProvider.STM32L031.core()).hardwareVariant("stm32l031f4").flashBytes(16 * 1024)
                .ramBytes(2 * 1024).build();
        InstallReport other = agent(dir.resolve("other"), otherVariant, trust).install(bundle);
        assertEquals(InstallOutcome.REFUSED, other.outcome(), other.toString());
        assertTrue(other.message().contains("stm32l031f4"), other.message());
    }

    private static DeviceAgent agent(Path storage, TargetProfile target, TrustRoot trust) throws Exception {
        ModelRuntime runtime = ProviderLoader.of(ModelRuntimeProvider.class).select("edgeloop-int")
                .create(ComponentConfig.empty());
        Files.createDirectories(storage);
        return DeviceAgent.builder().deviceId(storage.getFileName().toString()).model("occupancy").target(target)
                .trust(trust).storage(new FileDeviceStorage(storage)).runtimes(name -> runtime).open();
    }
}
