package io.edgeloop.labeling.io;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.labeling.matrix.LabelMatrix;
import io.edgeloop.labeling.model.FitData;
import io.edgeloop.labeling.model.LabelModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A refusal speaks its reader's language: the API ({@link LabelModels#fit}) in terms of {@link FitData}, the
 * WRENCH layer ({@link WrenchEvaluation}, which the CLI uses) in terms of the files. The API used to say
 * "valid.json" and the CLI "FitData.Builder.sequence".
 */
@DisplayName("Refusal messages")
class AudienceMessagesTest {
    @TempDir
    Path dir;

    private static final LabelMatrix VOTES = LabelMatrix.ofRows(2, new int[][] {{0, -1}, {1, 1}, {0, 0}});

    @Test
    @DisplayName("LabelModels.fit refuses wmv and hmm in terms of FitData, not of WRENCH files")
    void apiSpeaksFitData() {
        String wmv = assertThrows(IllegalArgumentException.class,
                () -> LabelModels.fit("wmv", FitData.of(VOTES))).getMessage();
        assertTrue(wmv.contains("FitData.Builder.valid") && !wmv.contains("valid.json"), wmv);
        String hmm = assertThrows(IllegalArgumentException.class,
                () -> LabelModels.fit("hmm", FitData.of(VOTES))).getMessage();
        assertTrue(hmm.contains("FitData.Builder.sequence") && !hmm.contains("data.frame"), hmm);
    }

    @Test
    @DisplayName("WrenchEvaluation refuses wmv and hmm in terms of the WRENCH files, not of FitData")
    void wrenchLayerSpeaksFiles() throws IOException {
        Files.writeString(dir.resolve("label.json"), "{\"0\": \"no\", \"1\": \"yes\"}");
        Files.writeString(dir.resolve("train.json"), "{\"a\": {\"label\": null, \"weak_labels\": [0, -1], "
                + "\"data\": {}}, \"b\": {\"label\": 1, \"weak_labels\": [1, 1], \"data\": {}}}");
        Files.writeString(dir.resolve("test.json"), "{\"0\": {\"label\": 1, \"weak_labels\": [1, -1], \"data\": {}}}");
        WrenchDataset d = WrenchDataset.read(dir);
        String wmv = assertThrows(IllegalArgumentException.class,
                () -> WrenchEvaluation.evaluate(d, "wmv", 0)).getMessage();
        assertTrue(wmv.contains("valid.json") && !wmv.contains("FitData"), wmv);
        String hmm = assertThrows(IllegalArgumentException.class,
                () -> WrenchEvaluation.evaluate(d, "hmm", 0)).getMessage();
        assertTrue(hmm.contains("train.json") && hmm.contains("data.frame") && !hmm.contains("FitData"), hmm);
        WrenchEvaluation.evaluate(d, "wmv", 0, java.util.Map.of(0, 1)); // answers give the prior: no refusal
    }

    @Test
    @DisplayName("a duplicate key in label.json is a duplicate class id, not a row id")
    void duplicateClassIdIsNotARowId() throws IOException {
        Files.writeString(dir.resolve("label.json"), "{\"0\": \"no\", \"1\": \"yes\", \"1\": \"maybe\"}");
        Files.writeString(dir.resolve("train.json"), "{\"a\": {\"label\": null, \"weak_labels\": [0], \"data\": {}}}");
        Files.writeString(dir.resolve("test.json"), "{\"0\": {\"label\": 1, \"weak_labels\": [1], \"data\": {}}}");
        String m = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir)).getMessage();
        assertTrue(m.endsWith("label.json: duplicate key '1' at line 1; each class id must appear once"), m);
        assertFalse(m.contains("row id"), m);
    }
}
