package io.edgeloop.labeling.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.api.label.Expert;
import io.edgeloop.api.label.ExpertQuery;
import io.edgeloop.labeling.TestData;
import io.edgeloop.labeling.active.ActiveLearner;
import io.edgeloop.labeling.active.AnswersFile;
import io.edgeloop.labeling.active.BatchSelector;
import io.edgeloop.labeling.active.FileQueueExpert;
import io.edgeloop.labeling.active.QueryStrategy;
import io.edgeloop.labeling.model.FitData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Row numbers that leave the library are train.json file-order rows, even for a frame split whose matrix is in
 * frame order (rev-s6-label item 1: on a shuffled Tennis train.json, 10 of 10 queued rows named other examples).
 */
class WrenchFileOrderRowsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    /** Train keys in the (shuffled) file order. */
    private List<String> keys;
    private ObjectNode trainRows;

    @BeforeEach
    void shuffledTennis() throws IOException {
        Path src = TestData.wrench("tennis");
        Files.copy(src.resolve("label.json"), dir.resolve("label.json"));
        Files.copy(src.resolve("test.json"), dir.resolve("test.json"));
        ObjectNode rows = (ObjectNode) JSON.readTree(src.resolve("train.json").toFile());
        keys = new ArrayList<>();
        rows.fieldNames().forEachRemaining(keys::add);
        Collections.shuffle(keys, new Random(11));
        trainRows = JSON.createObjectNode();
        for (String k : keys) {
            trainRows.set(k, rows.get(k));
        }
        JSON.writeValue(dir.resolve("train.json").toFile(), trainRows);
    }

    private int[] fileVotes(int fileRow) {
        JsonNode wl = trainRows.get(keys.get(fileRow)).get("weak_labels");
        int[] v = new int[wl.size()];
        for (int j = 0; j < v.length; j++) {
            v[j] = wl.get(j).asInt();
        }
        return v;
    }

    private static int[] matrixVotes(WrenchSplit t, int row) {
        int[] v = new int[t.matrix().lfs()];
        for (int j = 0; j < v.length; j++) {
            v[j] = t.matrix().get(row, j);
        }
        return v;
    }

    @Test
    @DisplayName("a shuffled frame split keeps the map to file order: fileRow/row/ids/gold agree with train.json")
    void splitMapsBackToFileOrder() throws IOException {
        WrenchDataset d = WrenchDataset.read(dir);
        WrenchSplit t = d.train();
        assertTrue(t.ordered(), "rows are frames");
        int moved = 0;
        for (int r = 0; r < t.size(); r++) {
            int f = t.fileRow(r);
            moved += f != r ? 1 : 0;
            assertEquals(r, t.row(f));
            assertEquals(keys.get(f), t.ids().get(r));
            assertEquals(keys.get(f), t.idOfFileRow(f));
            int[] votes = matrixVotes(t, r);
            assertArrayEquals(fileVotes(f), votes, "matrix row " + r + " is file row " + f);
        }
        assertTrue(moved > t.size() / 2, "the shuffle moved rows: " + moved);
        assertEquals(keys, t.idsInFileOrder());
        assertEquals(keys.indexOf("392"), t.fileRowsById().get("392"));
        assertThrows(IllegalArgumentException.class, () -> t.row(t.size()));
    }

    @Test
    @DisplayName("active learning asks about file-order rows, and answers by file row label those examples")
    void activeLearningSpeaksFileOrder() throws IOException {
        WrenchDataset d = WrenchDataset.read(dir);
        List<ExpertQuery> asked = new ArrayList<>();
        Expert expert = new Expert() {
            @Override
            public String name() {
                return "recording";
            }

            @Override
            public Optional<Integer> answer(ExpertQuery q) {
                asked.add(q);
                return Optional.of(q.row() % 2);
            }
        };
        ActiveLearner learner = new ActiveLearner("ds", QueryStrategy.LEAST_CONFIDENCE, 5,
                BatchSelector.DEFAULT_POOL_FACTOR, 0);
        int knownRow = keys.indexOf("392");
        ActiveLearner.Result r = WrenchEvaluation.activeLearning(d, learner, 0, expert, 11, Map.of(knownRow, 1),
                Set.of(), Integer.MAX_VALUE);
        assertEquals(10, asked.size());
        for (ExpertQuery q : asked) {
            assertArrayEquals(fileVotes(q.row()), q.votes(), "question on file row " + q.row() + " (id "
                    + keys.get(q.row()) + ") shows that row's votes");
            assertEquals(q.row() % 2, r.answers().get(q.row()));
            assertFalse(q.row() == knownRow, "a known answer is not asked again");
        }
        assertEquals(1, r.answers().get(knownRow));
        assertEquals(11, r.answers().size());
        // Answered rows come back one-hot at their file rows.
        for (Map.Entry<Integer, Integer> e : r.answers().entrySet()) {
            assertEquals(1.0, r.probabilities()[e.getKey()][e.getValue()], "answered file row " + e.getKey());
        }
        // The fit data puts the answers on the matrix rows of those examples.
        FitData fd = WrenchEvaluation.fitData(d, 0, r.answers());
        int[] rows = fd.answeredRows().orElseThrow();
        int[] labels = fd.goldLabels().orElseThrow();
        for (int i = 0; i < rows.length; i++) {
            int fileRow = d.train().fileRow(rows[i]);
            assertEquals(r.answers().get(fileRow), labels[i]);
            int[] votes = matrixVotes(d.train(), rows[i]);
            assertArrayEquals(fileVotes(fileRow), votes);
        }
    }

    @Test
    @DisplayName("the queue writes each question's file row and WRENCH id; answers may name the row by id")
    void queueCarriesIdsAndAcceptsThem() throws IOException {
        WrenchDataset d = WrenchDataset.read(dir);
        Path q = dir.resolve("queue");
        try (FileQueueExpert queue = new FileQueueExpert(q, d.numClasses(), w -> { },
                d.train().idsInFileOrder())) {
            ActiveLearner learner = new ActiveLearner("ds", QueryStrategy.MARGIN, 4,
                    BatchSelector.DEFAULT_POOL_FACTOR, 0);
            WrenchEvaluation.activeLearning(d, learner, 0, queue, 4, Map.of(), Set.of(), 4);
        }
        List<String> lines = Files.readAllLines(q.resolve("queries.jsonl"));
        assertEquals(4, lines.size());
        StringBuilder answers = new StringBuilder();
        for (String line : lines) {
            JsonNode n = JSON.readTree(line);
            int row = n.get("row").asInt();
            assertEquals(keys.get(row), n.get("id").asText());
            int[] votes = new int[n.get("votes").size()];
            for (int j = 0; j < votes.length; j++) {
                votes[j] = n.get("votes").get(j).asInt();
            }
            assertArrayEquals(fileVotes(row), votes, "queued row " + row);
            answers.append("{\"id\":\"").append(n.get("id").asText()).append("\",\"label\":1}\n");
        }
        Files.writeString(q.resolve("answers.jsonl"), answers);
        AnswersFile.Contents c = AnswersFile.read(q.resolve("answers.jsonl"), d.numClasses(), d.train().size(),
                d.train().fileRowsById());
        for (String line : lines) {
            assertEquals(1, c.answers().get(JSON.readTree(line).get("row").asInt()));
        }
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"id\":\"no-such-id\",\"label\":1}\n");
        IOException e = assertThrows(IOException.class, () -> AnswersFile.read(bad, 2, d.train().size(),
                d.train().fileRowsById()));
        assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("no-such-id"), e.getMessage());
        int other = keys.indexOf("392") == 0 ? 1 : 0;
        Files.writeString(bad, "{\"row\":" + other + ",\"id\":\"392\",\"label\":1}\n");
        e = assertThrows(IOException.class, () -> AnswersFile.read(bad, 2, d.train().size(),
                d.train().fileRowsById()));
        assertTrue(e.getMessage().contains("different rows"), e.getMessage());
    }
}
