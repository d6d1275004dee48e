package io.edgeloop.api.provenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.EdgeloopVersion;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Provenance")
class ProvenanceTest {
    private final Provenance dataset = Provenance.capture("dataset", ProvenanceTest.class)
            .input("datatraining.txt", Sha256.hex("rows".getBytes(StandardCharsets.UTF_8)), 4).seed(42)
            .setting("label-model", "auto").build();
    private final Provenance model = Provenance.capture("model", ProvenanceTest.class).parent(dataset)
            .setting("algo", "logistic").build();

    @Test
    @DisplayName("captures SDK version, JVM, OS and architecture")
    void captures() {
        assertEquals(EdgeloopVersion.get(), model.sdkVersion());
        assertTrue(model.environment().containsKey("java.version"));
        assertTrue(model.environment().containsKey("os.arch"));
        assertTrue(model.createdAt().isPresent());
    }

    @Test
    @DisplayName("round-trips through its map form, lineage included")
    void roundTrips() {
        assertEquals(model, Provenance.fromMap(model.toMap()));
        assertEquals(42, Provenance.fromMap(model.toMap()).parents().get(0).seed().getAsLong());
    }

    @Test
    @DisplayName("strips times and host details recursively")
    void strips() {
        Provenance s = model.stripped();
        assertFalse(s.createdAt().isPresent());
        assertTrue(s.environment().isEmpty());
        assertFalse(s.parents().get(0).createdAt().isPresent());
        assertEquals(dataset.inputs(), s.parents().get(0).inputs());
    }

    @Test
    @DisplayName("rejects an unknown format version")
    void rejectsUnknownVersion() {
        Map<String, Object> m = new HashMap<>(model.toMap());
        m.put("formatVersion", 2);
        assertThrows(IllegalArgumentException.class, () -> Provenance.fromMap(m));
    }
}
