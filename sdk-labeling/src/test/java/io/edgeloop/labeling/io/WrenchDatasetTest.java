package io.edgeloop.labeling.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeloop.labeling.TestData;
import io.edgeloop.labeling.model.FitData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WrenchDatasetTest {
    @TempDir
    Path dir;

    private void write(String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text);
    }

    private void minimal() throws IOException {
        write("label.json", "{\"0\": \"no\", \"1\": \"yes\"}");
        write("train.json", "{\"a\": {\"label\": null, \"weak_labels\": [0, -1], \"data\": {}},"
                + " \"b\": {\"label\": 1, \"weak_labels\": [1, 1], \"data\": {}}}");
        write("test.json", "{\"0\": {\"label\": 1, \"weak_labels\": [1, -1], \"data\": {}}}");
    }

    @Test
    @DisplayName("reads the real sets: sizes, classes, optional valid, frame order")
    void readsRealSets() throws IOException {
        WrenchDataset yt = WrenchDataset.read(TestData.wrench("youtube"));
        assertEquals(1686, yt.train().size());
        assertEquals(10, yt.lfs());
        assertEquals(120, yt.valid().orElseThrow().size());
        assertEquals(250, yt.test().size());
        WrenchDataset tennis = WrenchDataset.read(TestData.wrench("tennis"));
        assertTrue(tennis.valid().isEmpty());
        assertTrue(tennis.train().ordered());
        assertFalse(tennis.train().fullyLabelled());
        assertEquals(746, tennis.test().size());
    }

    @Test
    @DisplayName("rows without a \"label\" key: gold unknown, as with null, and one WARN naming the file, the count "
            + "and the first row (before: silently unknown)")
    void missingLabelKeyIsWarned() throws IOException {
        write("label.json", "{\"0\": \"no\", \"1\": \"yes\"}");
        write("train.json", "{\"a\": {\"label\": null, \"weak_labels\": [0, -1], \"data\": {}}}");
        // another tool's name for the gold label: without the warning its labels vanish without a word
        write("test.json", "{\"0\": {\"label\": 1, \"weak_labels\": [1, -1]},"
                + " \"1\": {\"gold\": 0, \"weak_labels\": [0, -1]}, \"2\": {\"gold\": 1, \"weak_labels\": [1, 1]}}");
        java.io.PrintStream before = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        WrenchDataset d;
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            d = WrenchDataset.read(dir);
        } finally {
            System.setErr(before);
        }
        assertEquals(1, d.test().gold()[0]);
        assertEquals(-1, d.test().gold()[1]);
        assertEquals(-1, d.test().gold()[2]);
        java.util.List<String> warns = captured.toString(java.nio.charset.StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains("WARN") && l.contains("\"label\" key")).toList();
        assertEquals(1, warns.size(), captured.toString(java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(warns.get(0).contains("test.json: 2 of 3 rows have no \"label\" key (the first: row '1')"),
                warns.get(0));
    }

    @Test
    @DisplayName("a null gold label is unknown (-1) and valid.json may be absent")
    void nullGoldIsUnknown() throws IOException {
        minimal();
        WrenchDataset d = WrenchDataset.read(dir);
        assertEquals(-1, d.train().gold()[0]);
        assertEquals(1, d.train().gold()[1]);
        assertTrue(d.valid().isEmpty());
        assertEquals(-1, d.train().matrix().get(0, 1));
    }

    @Test
    @DisplayName("a missing required file is named in the error")
    void missingFile() throws IOException {
        minimal();
        Files.delete(dir.resolve("test.json"));
        WrenchFormatException e = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir));
        assertTrue(e.getMessage().contains("test.json") && e.getMessage().contains("missing"), e.getMessage());
        assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir.resolve("nope")));
    }

    @Test
    @DisplayName("the parent folder of WRENCH sets is named as such, listing the sets in it (it used to be "
            + "'label.json: missing'); a folder without sets still names the missing file")
    void folderOfSetsListsThem() throws IOException {
        WrenchFormatException e = assertThrows(WrenchFormatException.class,
                () -> WrenchDataset.read(TestData.wrench("youtube").getParent()));
        Path parent = TestData.wrench("youtube").getParent();
        assertEquals(parent + " is not a WRENCH data set itself (it has no label.json, train.json or test.json) but "
                + "holds 3 of them: sms, tennis, youtube; give one, for example " + parent.resolve("sms"),
                e.getMessage());
        Files.createDirectories(dir.resolve("only").resolve("docs"));
        Files.createDirectories(dir.resolve("only").resolve("set"));
        Files.writeString(dir.resolve("only").resolve("set").resolve("label.json"), "{}");
        e = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir.resolve("only")));
        assertTrue(e.getMessage().endsWith("holds 1: set; give one, for example " + dir.resolve("only")
                .resolve("set")), e.getMessage());
        e = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir.resolve("only").resolve("docs")));
        assertTrue(e.getMessage().contains("label.json: missing"), e.getMessage());
    }

    @Test
    @DisplayName("malformed JSON is reported with file, line and column")
    void malformedJson() throws IOException {
        minimal();
        write("train.json", "{\"a\": {\"label\": 1, \"weak_labels\": [0, 1}");
        WrenchFormatException e = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir));
        assertTrue(e.getMessage().contains("train.json") && e.getMessage().contains("line 1"), e.getMessage());
    }

    @Test
    @DisplayName("rows with the wrong number of weak labels, bad votes or bad labels are rejected by id")
    void badRows() throws IOException {
        minimal();
        write("test.json", "{\"x7\": {\"label\": 1, \"weak_labels\": [1], \"data\": {}}}");
        WrenchFormatException e = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir));
        assertTrue(e.getMessage().contains("test.json: row 'x7' has 1 weak labels, train.json's rows have 2"),
                e.getMessage());
        write("test.json", "{\"x8\": {\"label\": 1, \"weak_labels\": [1, 5], \"data\": {}}}");
        e = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir));
        assertTrue(e.getMessage().contains("x8"), e.getMessage());
        write("test.json", "{\"x9\": {\"label\": \"spam\", \"weak_labels\": [1, 0], \"data\": {}}}");
        e = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir));
        assertTrue(e.getMessage().contains("x9"), e.getMessage());
    }

    @Test
    @DisplayName("a weak-label count mismatch in train.json names the rows on both sides, so an odd first row shows")
    void weakLabelCountMismatchNamesBothSides() throws IOException {
        minimal();
        write("train.json", "{\"0\": {\"label\": null, \"weak_labels\": [0], \"data\": {}},"
                + " \"1\": {\"label\": 1, \"weak_labels\": [1, 1], \"data\": {}},"
                + " \"2\": {\"label\": 1, \"weak_labels\": [1, 0], \"data\": {}}}");
        String m = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir)).getMessage();
        assertTrue(m.endsWith("train.json: row '1' has 2 weak labels, row '0' has 1; every row needs one per "
                + "labelling function"), m);
        write("train.json", "{\"a\": {\"label\": null, \"weak_labels\": [0, 1], \"data\": {}},"
                + " \"b\": {\"label\": 1, \"weak_labels\": [1, 1], \"data\": {}},"
                + " \"c\": {\"label\": 1, \"weak_labels\": [1], \"data\": {}}}");
        m = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir)).getMessage();
        assertTrue(m.contains("row 'c' has 1 weak labels, the 2 rows before it, from row 'a', have 2"), m);
        assertFalse(m.contains("\n"), m);
    }

    /** Copies a real set into the temporary directory with the gold label of the given valid rows set to null. */
    private void copyWithUnknownValidLabels(String set, int unknown) throws IOException {
        Path src = TestData.wrench(set);
        for (String f : new String[] {"label.json", "train.json", "test.json"}) {
            Files.copy(src.resolve(f), dir.resolve(f));
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode valid = (ObjectNode) json.readTree(src.resolve("valid.json").toFile());
        java.util.Iterator<JsonNode> rows = valid.elements();
        for (int i = 0; i < unknown; i++) {
            ((ObjectNode) rows.next()).putNull("label");
        }
        Files.writeString(dir.resolve("valid.json"), json.writeValueAsString(valid));
    }

    @Test
    @DisplayName("a null gold label in valid.json drops that row only: wmv works and auto selects on the 119 others")
    void unknownValidLabelDropsOnlyThatRow() throws IOException {
        copyWithUnknownValidLabels("youtube", 1);
        WrenchDataset d = WrenchDataset.read(dir);
        assertEquals(120, d.valid().orElseThrow().size());
        assertEquals(119, d.valid().orElseThrow().labelledRows().size());
        FitData fit = WrenchEvaluation.fitData(d, 0);
        assertEquals(119, fit.valid().orElseThrow().rows());
        assertEquals(119, fit.validGold().orElseThrow().length);
        assertTrue(WrenchEvaluation.evaluate(d, "wmv", 0).accuracy() > 70);
        assertEquals("119", WrenchEvaluation.fit(d, "auto", 0).settings().get("auto.labelledRows"));
    }

    @Test
    @DisplayName("a valid.json whose labels are all null gives no validation: wmv is refused naming valid.json")
    void validWithoutAnyLabelIsNoValidation() throws IOException {
        copyWithUnknownValidLabels("youtube", 120);
        WrenchDataset d = WrenchDataset.read(dir);
        assertTrue(WrenchEvaluation.fitData(d, 0).valid().isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WrenchEvaluation.evaluate(d, "wmv", 0));
        assertTrue(e.getMessage().contains("valid.json"), e.getMessage());
    }

    @Test
    @DisplayName("a label that is an integer but not an int (4294967297) is rejected, not read as class 1")
    void labelBeyondIntIsRejected() throws IOException {
        minimal();
        write("test.json", "{\"big\": {\"label\": 4294967297, \"weak_labels\": [1, 0], \"data\": {}}}");
        WrenchFormatException e = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir));
        assertTrue(e.getMessage().contains("big") && e.getMessage().contains("4294967297"), e.getMessage());
        write("test.json", "{\"neg\": {\"label\": -4294967295, \"weak_labels\": [1, 0], \"data\": {}}}");
        e = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir));
        assertTrue(e.getMessage().contains("neg"), e.getMessage());
    }

    @Test
    @DisplayName("a duplicate row id is rejected naming the file and the id, instead of dropping the earlier row")
    void duplicateRowIdIsRejected() throws IOException {
        minimal();
        write("train.json", "{\"a\": {\"label\": null, \"weak_labels\": [0, -1], \"data\": {}},\n"
                + " \"a7\": {\"label\": 1, \"weak_labels\": [1, 1], \"data\": {}},\n"
                + " \"a7\": {\"label\": 0, \"weak_labels\": [0, 0], \"data\": {}}}");
        WrenchFormatException e = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir));
        assertTrue(e.getMessage().contains("train.json") && e.getMessage().contains("'a7'")
                && e.getMessage().contains("duplicate"), e.getMessage());
    }

    @Test
    @DisplayName("content after the first JSON object (two objects appended, or garbage) is an error naming the file "
            + "and line, not 20 silently dropped rows")
    void trailingContentIsRejected() throws IOException {
        minimal();
        write("train.json", "{\"a\": {\"label\": null, \"weak_labels\": [0, -1], \"data\": {}}}\n"
                + "{\"b\": {\"label\": 1, \"weak_labels\": [1, 1], \"data\": {}},\n"
                + " \"c\": {\"label\": 0, \"weak_labels\": [0, 0], \"data\": {}}}\n");
        WrenchFormatException e = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir));
        assertTrue(e.getMessage().contains("train.json") && e.getMessage().contains("content after the JSON object")
                && e.getMessage().contains("line 2"), e.getMessage());
        minimal();
        write("test.json", "{\"0\": {\"label\": 1, \"weak_labels\": [1, -1], \"data\": {}}} garbage");
        e = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir));
        assertTrue(e.getMessage().contains("test.json") && e.getMessage().contains("line 1"), e.getMessage());
        minimal();
        write("label.json", "{\"0\": \"no\", \"1\": \"yes\"} {\"2\": \"maybe\"}");
        e = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir));
        assertTrue(e.getMessage().contains("label.json") && e.getMessage().contains("content after"), e.getMessage());
    }

    @Test
    @DisplayName("an empty valid.json ({}) is no validation split, as documented: mv fits, wmv names valid.json")
    void emptyValidIsNoValidation() throws IOException {
        minimal();
        write("valid.json", "{}");
        WrenchDataset d = WrenchDataset.read(dir);
        assertTrue(d.valid().isEmpty());
        assertTrue(WrenchEvaluation.fitData(d, 0).valid().isEmpty());
        assertEquals(1, WrenchEvaluation.evaluate(d, "mv", 0).n());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WrenchEvaluation.evaluate(d, "wmv", 0));
        assertTrue(e.getMessage().contains("valid.json"), e.getMessage());
        write("train.json", "{}");
        WrenchFormatException noTrain = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir));
        assertTrue(noTrain.getMessage().contains("train.json: no rows"), noTrain.getMessage());
    }

    @Test
    @DisplayName("data other than frame is skipped, whatever it holds; a row that is not an object is refused")
    void dataIsSkipped() throws IOException {
        minimal();
        write("train.json", "{\"a\": {\"data\": {\"text\": \"x\", \"nested\": {\"deep\": [1, [2, {\"z\": null}]]}, "
                + "\"frame\": 2}, \"weak_labels\": [0, -1], \"extra\": [1, 2], \"label\": null},"
                + " \"b\": {\"label\": 1, \"weak_labels\": [1, 1], \"data\": {\"frame\": 1, \"text\": \"y\"}}}");
        WrenchDataset d = WrenchDataset.read(dir);
        assertEquals(java.util.List.of("b", "a"), d.train().ids(), "frame order");
        assertTrue(d.train().ordered());
        assertEquals(1, d.train().matrix().get(0, 0));
        assertEquals(0, d.train().matrix().get(1, 0));
        assertEquals(1, d.train().gold()[0]);
        assertEquals(-1, d.train().gold()[1]);
        write("train.json", "{\"a\": [0, 1]}");
        WrenchFormatException e = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir));
        assertTrue(e.getMessage().contains("row 'a'"), e.getMessage());
    }

    /** Copies Tennis into the temporary directory with train.json's (and optionally test.json's) rows reordered. */
    private void tennisReordered(java.util.function.UnaryOperator<java.util.List<String>> order, boolean test)
            throws IOException {
        Path src = TestData.wrench("tennis");
        Files.copy(src.resolve("label.json"), dir.resolve("label.json"));
        ObjectMapper json = new ObjectMapper();
        for (String f : new String[] {"train.json", "test.json"}) {
            if (f.equals("test.json") && !test) {
                Files.copy(src.resolve(f), dir.resolve(f));
                continue;
            }
            ObjectNode rows = (ObjectNode) json.readTree(src.resolve(f).toFile());
            java.util.List<String> keys = new java.util.ArrayList<>();
            rows.fieldNames().forEachRemaining(keys::add);
            ObjectNode out = json.createObjectNode();
            for (String k : order.apply(keys)) {
                out.set(k, rows.get(k));
            }
            Files.writeString(dir.resolve(f), json.writeValueAsString(out));
        }
    }

    @Test
    @DisplayName("frames are read in frame order: Tennis with train.json (and test.json) shuffled or sorted as strings "
            + "gives the original hmm 89.01 and auto 88.74")
    void framesAreReadInFrameOrder() throws IOException {
        java.util.function.UnaryOperator<java.util.List<String>> shuffle = keys -> {
            java.util.List<String> k = new java.util.ArrayList<>(keys);
            java.util.Collections.shuffle(k, new java.util.Random(7));
            return k;
        };
        java.util.function.UnaryOperator<java.util.List<String>> asStrings = keys -> keys.stream().sorted().toList();
        WrenchDataset original = WrenchDataset.read(TestData.wrench("tennis"));
        for (boolean test : new boolean[] {false, true}) {
            for (var order : java.util.List.of(shuffle, asStrings)) {
                for (String f : new String[] {"label.json", "train.json", "test.json"}) {
                    Files.deleteIfExists(dir.resolve(f));
                }
                tennisReordered(order, test);
                WrenchDataset d = WrenchDataset.read(dir);
                assertTrue(d.train().ordered() && d.test().ordered());
                assertTrue(original.train().ids().equals(d.train().ids()), "train rows in frame order");
                assertTrue(original.test().ids().equals(d.test().ids()), "test rows in frame order");
                assertEquals("89.01", String.format(java.util.Locale.ROOT, "%.2f",
                        WrenchEvaluation.evaluate(d, "hmm", 0).accuracy()), "hmm, test shuffled " + test);
                assertEquals("88.74", String.format(java.util.Locale.ROOT, "%.2f",
                        WrenchEvaluation.evaluate(d, "auto", 0).accuracy()), "auto, test shuffled " + test);
            }
        }
    }

    @Test
    @DisplayName("two rows with one frame number: not a frame sequence (hmm refuses), rows stay in file order")
    void duplicateFramesAreNotASequence() throws IOException {
        minimal();
        write("train.json", "{\"a\": {\"label\": null, \"weak_labels\": [0, -1], \"data\": {\"frame\": 3}},"
                + " \"b\": {\"label\": 1, \"weak_labels\": [1, 1], \"data\": {\"frame\": 3}}}");
        WrenchDataset d = WrenchDataset.read(dir);
        assertFalse(d.train().ordered());
        assertEquals(java.util.List.of("a", "b"), d.train().ids());
        assertThrows(IllegalArgumentException.class, () -> WrenchEvaluation.evaluate(d, "hmm", 0));
    }

    @Test
    @DisplayName("frame numbers are read exactly: 2^53 and 2^53 + 1 are two frames, 3.0 is frame 3; a fraction or a "
            + "value beyond 64 bits makes the split not a sequence, with a WARN naming the row")
    void framesAreExactIntegers() throws IOException {
        minimal();
        write("train.json", "{\"a\": {\"label\": null, \"weak_labels\": [0, -1], \"data\": {\"frame\": "
                + "9007199254740993}}, \"b\": {\"label\": 1, \"weak_labels\": [1, 1], \"data\": {\"frame\": "
                + "9007199254740992}}}");
        WrenchDataset d = WrenchDataset.read(dir);
        assertTrue(d.train().ordered(), "distinct frames above 2^53 used to collide as doubles");
        assertEquals(java.util.List.of("b", "a"), d.train().ids());
        write("train.json", "{\"a\": {\"label\": null, \"weak_labels\": [0, -1], \"data\": {\"frame\": 3.0}},"
                + " \"b\": {\"label\": 1, \"weak_labels\": [1, 1], \"data\": {\"frame\": 2}}}");
        d = WrenchDataset.read(dir);
        assertTrue(d.train().ordered());
        assertEquals(java.util.List.of("b", "a"), d.train().ids());
        String[][] notFrames = {{"2.5", "row 'a' has data.frame 2.5, not an integer"},
            {"100000000000000000000000000000", "row 'a' has data.frame 100000000000000000000000000000, not an integer"}};
        for (String[] c : notFrames) {
            write("train.json", "{\"a\": {\"label\": null, \"weak_labels\": [0, -1], \"data\": {\"frame\": " + c[0]
                    + "}}, \"b\": {\"label\": 1, \"weak_labels\": [1, 1], \"data\": {\"frame\": 1}}}");
            java.io.PrintStream before = System.err;
            java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
            System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
            try {
                d = WrenchDataset.read(dir);
            } finally {
                System.setErr(before);
            }
            assertFalse(d.train().ordered(), c[0]);
            assertEquals(java.util.List.of("a", "b"), d.train().ids());
            String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(log.contains("WARN") && log.contains(c[1]) && !log.contains("share a frame"), log);
        }
    }

    @Test
    @DisplayName("a row id beyond the JSON reader's 50,000-character limit is an error naming the file and the row")
    void overlongIdNamesTheFileAndRow() throws IOException {
        minimal();
        String longId = "x".repeat(60_000);
        write("test.json", "{\"" + longId + "\": {\"label\": 1, \"weak_labels\": [1, -1], \"data\": {}}}");
        WrenchFormatException e = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir));
        assertTrue(e.getMessage().contains("test.json: a key (row id) longer than 50000 characters, the JSON "
                + "reader's limit, at the first row, line 1")
                && !e.getMessage().contains("StreamReadConstraints"), e.getMessage());
        write("test.json", "{\"r0\": {\"label\": 1, \"weak_labels\": [1, -1], \"data\": {}},\n\"" + longId
                + "\": {\"label\": 1, \"weak_labels\": [1, -1], \"data\": {}}}");
        e = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir));
        assertTrue(e.getMessage().contains("test.json") && e.getMessage().contains("after row 'r0', line 2"),
                e.getMessage());
        write("test.json", "{\"r0\": {\"label\": 1, \"weak_labels\": [1, -1], \"data\": {\"" + longId
                + "\": 1}}}");
        e = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir));
        assertTrue(e.getMessage().contains("test.json") && e.getMessage().contains("in row 'r0'"), e.getMessage());
        write("label.json", "{\"0\": \"no\", \"" + longId + "\": \"yes\"}");
        e = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir));
        assertTrue(e.getMessage().contains("label.json: a key (row id) longer than 50000"), e.getMessage());
    }

    @Test
    @DisplayName("every row names its frame, but as a string: not a sequence, with a WARN naming a row and the value "
            + "(review s11: silent, and hmm's refusal then said rows need a data.frame)")
    void stringFramesAreNotASequenceAndSaySo() throws IOException {
        minimal();
        write("train.json", "{\"a\": {\"label\": null, \"weak_labels\": [0, -1], \"data\": {\"frame\": \"x12\"}},"
                + " \"b\": {\"label\": 1, \"weak_labels\": [1, 1], \"data\": {\"frame\": \"x13\"}}}");
        java.io.PrintStream before = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        WrenchDataset d;
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            d = WrenchDataset.read(dir);
        } finally {
            System.setErr(before);
        }
        assertFalse(d.train().ordered());
        String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(log.contains("WARN") && log.contains("row 'a' has data.frame \"x12\", not a number"), log);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WrenchEvaluation.evaluate(d, "hmm", 0));
        assertTrue(e.getMessage().contains("train.json's rows as a frame sequence (every row's data.frame a distinct "
                + "integer)"), e.getMessage());
        // some rows without a frame at all: no sequence, and no warning (ordinary WRENCH rows)
        write("train.json", "{\"a\": {\"label\": null, \"weak_labels\": [0, -1], \"data\": {\"frame\": \"x12\"}},"
                + " \"b\": {\"label\": 1, \"weak_labels\": [1, 1], \"data\": {}}}");
        captured.reset();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            WrenchDataset.read(dir);
        } finally {
            System.setErr(before);
        }
        assertFalse(captured.toString(java.nio.charset.StandardCharsets.UTF_8).contains("not a number"));
    }

    @Test
    @DisplayName("a byte that is not UTF-8 is named as such, with its offset and line, not as Jackson's parse error")
    void notUtf8IsNamed() throws IOException {
        minimal();
        byte[] head = "{\"a\": {\"label\": 1, \"weak_labels\": [1, 1], \"data\": {}},\n\"".getBytes(
                java.nio.charset.StandardCharsets.US_ASCII);
        byte[] tail = "\": {\"label\": 1, \"weak_labels\": [1, 0], \"data\": {}}}".getBytes(
                java.nio.charset.StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + 1 + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        all[head.length] = (byte) 0xE9; // Latin-1 'e acute'
        System.arraycopy(tail, 0, all, head.length + 1, tail.length);
        Files.write(dir.resolve("train.json"), all);
        WrenchFormatException e = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir));
        assertTrue(e.getMessage().contains("train.json: not UTF-8 text (bad byte at offset " + head.length
                + ", line 2)"), e.getMessage());
        assertEquals(null, WrenchDataset.firstNonUtf8(dir.resolve("test.json")));
    }

    @Test
    @DisplayName("NaN and Infinity (as Python's json writes them) are read inside data; a NaN frame is not a sequence; "
            + "a NaN vote is refused; malformed JSON gives Jackson's reason and the location once, without advice")
    void nonNumericNumbersAndMalformedMessages() throws IOException {
        minimal();
        write("train.json", "{\"a\": {\"label\": null, \"weak_labels\": [0, -1], \"data\": {\"feature\": [1.0, NaN, "
                + "Infinity, -Infinity], \"frame\": 1}},"
                + " \"b\": {\"label\": 1, \"weak_labels\": [1, 1], \"data\": {\"frame\": NaN, \"x\": -Infinity}}}");
        WrenchDataset d = WrenchDataset.read(dir);
        assertEquals(2, d.train().size());
        assertFalse(d.train().ordered(), "a NaN frame: not a frame sequence");
        assertEquals(java.util.List.of("a", "b"), d.train().ids());

        write("train.json", "{\"a\": {\"label\": null, \"weak_labels\": [0, NaN], \"data\": {}}}");
        WrenchFormatException vote = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir));
        assertTrue(vote.getMessage().contains("row 'a' weak label 1 is NaN"), vote.getMessage());
        write("train.json", "{\"a\": {\"label\": Infinity, \"weak_labels\": [0, 1], \"data\": {}}}");
        vote = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir));
        assertTrue(vote.getMessage().contains("row 'a' label is Infinity"), vote.getMessage());

        write("train.json", "{\"a\": {\"label\": null, \"weak_labels\": [0, -1], \"data\": {\"t\": [1, 2");
        String m = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir)).getMessage();
        assertTrue(m.endsWith("train.json: malformed JSON at line 1, column 66: Unexpected end-of-input"), m);
        write("train.json", "{\"a\": {\"label\": nul, \"weak_labels\": [0, -1]}}");
        m = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir)).getMessage();
        assertTrue(m.matches(".*train.json: malformed JSON at line 1, column \\d+: Unrecognized token 'nul'"), m);
        write("label.json", "{\"0\": \"no\", \"1\": ");
        m = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir)).getMessage();
        assertTrue(m.contains("label.json: malformed JSON at line 1, column 18: Unexpected end-of-input"), m);
        for (String advice : new String[] {"REDACTED", "enable", "Source", "[", "\n"}) {
            assertFalse(m.contains(advice), m);
        }
    }

    @Test
    @DisplayName("label.json class names must be non-empty strings, no two the same; the error names the file and ids")
    void classNamesAreChecked() throws IOException {
        minimal();
        String[][] cases = {
            {"{\"0\": \"spam\", \"1\": \"spam\"}", "classes '0' and '1' are both named \"spam\""},
            {"{\"0\": null, \"1\": \"b\"}", "class '0' has the name null"},
            {"{\"0\": \"a\", \"1\": {\"x\": 1}}", "class '1' has the name {\"x\":1}"},
            {"{\"0\": \"a\", \"1\": [1]}", "class '1' has the name [1]"},
            {"{\"0\": \" \", \"1\": \"b\"}", "class '0' has the name \" \""},
            {"{\"0\": 0, \"1\": \"b\"}", "class '0' has the name 0"},
        };
        for (String[] c : cases) {
            write("label.json", c[0]);
            String m = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir), c[0]).getMessage();
            assertTrue(m.contains("label.json: " + c[1]), c[0] + " -> " + m);
        }
    }

    @Test
    @DisplayName("a malformed file's exception carries no cause whose message a one-line printer would append")
    void parserErrorIsNotTheCause() throws IOException {
        minimal();
        write("train.json", "{\"a\": {\"label\": 1, \"weak_labels\": [0, 1], \"data\": {");
        WrenchFormatException e = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir));
        assertEquals(null, e.getCause(), e.getMessage());
        assertEquals(1, e.getSuppressed().length, "the parser's exception is kept for stack traces");
        write("label.json", "{\"x\": \"a\", \"1\": \"b\"}");
        e = assertThrows(WrenchFormatException.class, () -> WrenchDataset.read(dir));
        assertEquals(null, e.getCause(), e.getMessage());
    }
}
