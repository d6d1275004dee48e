package io.edgeloop.quantize.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvDataTest {
    @TempDir
    Path dir;

    private Path csv(String text) throws IOException {
        Path f = dir.resolve("d.csv");
        Files.writeString(f, text);
        return f;
    }

    @Test
    @DisplayName("a row with one field too many is an error naming its line, not a row name that shifts the columns")
    void rejectsARowWithAnExtraField() throws IOException {
        Path f = csv("a,b,label\n1,2.0,yes\n1,5,7.0,no\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CsvData.read(f, "label", Set.of()));
        assertTrue(e.getMessage().contains("line 3 has 4 fields; expected 3"), e.getMessage());
    }

    @Test
    @DisplayName("row names (R's write.csv layout) are recognised from the first row and required on every row")
    void readsRowNamesDecidedOnce() throws IOException {
        CsvData d = CsvData.read(csv("a,b,label\n\"1\",1.5,2,yes\n\"2\",3,4,no\n"), "label", Set.of());
        assertEquals(List.of("a", "b"), d.features());
        assertArrayEquals(new double[] {3, 4}, d.row(1));
        assertEquals(List.of("yes", "no"), d.labels());
        Path f = csv("a,b,label\n\"1\",1.5,2,yes\n3,4,no\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CsvData.read(f, "label", Set.of()));
        assertTrue(e.getMessage().contains("line 3 has 3 fields; expected 4") && e.getMessage().contains("row name"),
                e.getMessage());
    }

    @Test
    @DisplayName("logistic training names a constant column and suggests --drop")
    void logisticTrainingNamesAConstantColumn() throws IOException {
        StringBuilder b = new StringBuilder("A,B,K,label\n");
        java.util.Random r = new java.util.Random(4);
        for (int i = 0; i < 200; i++) {
            double a = r.nextDouble();
            b.append(a).append(',').append(r.nextDouble()).append(",5,").append(a > 0.5 ? "y" : "n").append('\n');
        }
        CsvData d = CsvData.read(csv(b.toString()), "label", Set.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TribuoTraining.train(d, "logistic", 1));
        assertTrue(e.getMessage().contains("Column 'K'") && e.getMessage().contains("--drop K"), e.getMessage());
        // Trees do not standardise: the constant column is harmless there.
        TribuoTraining.train(d, "cart", 1);
        TribuoTraining.train(CsvData.read(dir.resolve("d.csv"), "label", Set.of("K")), "logistic", 1);
    }

    @Test
    @DisplayName("a CSV that is not UTF-8 is refused naming the file and line, and UTF-16 (Excel's Unicode text) by name")
    void refusesTextThatIsNotUtf8NamingFileAndLine() throws IOException {
        Path u16 = dir.resolve("u16.csv");
        byte[] body = "a,b,label\n1,2,yes\n3,4,no\n".getBytes(java.nio.charset.StandardCharsets.UTF_16LE);
        byte[] withBom = new byte[body.length + 2];
        withBom[0] = (byte) 0xFF;
        withBom[1] = (byte) 0xFE;
        System.arraycopy(body, 0, withBom, 2, body.length);
        Files.write(u16, withBom);
        for (org.junit.jupiter.api.function.Executable read : List.<org.junit.jupiter.api.function.Executable>of(
                () -> CsvData.read(u16, "label", Set.of()),
                () -> CsvData.readColumns(u16, List.of("a", "b"), "label"))) {
            IOException e = assertThrows(IOException.class, read);
            assertTrue(e.getMessage().contains(u16 + " is UTF-16 text") && e.getMessage().contains("not UTF-8"),
                    e.getMessage());
        }
        Path latin = dir.resolve("latin.csv");
        Files.write(latin, "a,b,label\n1,2,yes\n3,4,caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        for (org.junit.jupiter.api.function.Executable read : List.<org.junit.jupiter.api.function.Executable>of(
                () -> CsvData.read(latin, "label", Set.of()),
                () -> CsvData.read(latin, Files.readAllBytes(latin), "label", Set.of()),
                () -> CsvData.readColumns(latin, List.of("a", "b"), "label"))) {
            IOException e = assertThrows(IOException.class, read);
            assertTrue(e.getMessage().startsWith(latin + " line 3 is not valid UTF-8 (byte 25 is 0xE9)"),
                    e.getMessage());
        }
    }

    @Test
    @DisplayName("a binary file (a tar archive such as a model bundle) is refused as not CSV text, not by column names")
    void refusesABinaryFile() throws IOException {
        // the OTA walk of 2026-12-03: `quantize --calib har-8.bundle` said "has two columns named '-128'"
        Path tar = dir.resolve("model.bundle");
        byte[] header = new byte[512];
        byte[] name = "manifest.json".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, header, 0, name.length);
        byte[] body = "{\"golden\":[-128,-128,-128]}\n1,2\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] all = new byte[header.length + body.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(body, 0, all, header.length, body.length);
        Files.write(tar, all);
        for (org.junit.jupiter.api.function.Executable read : List.<org.junit.jupiter.api.function.Executable>of(
                () -> CsvData.read(tar, "label", Set.of()),
                () -> CsvData.readColumns(tar, List.of("a", "b"), "label"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, read);
            assertTrue(e.getMessage().startsWith(tar + " is not a CSV text file: its first line holds a NUL byte "
                    + "(at character 14)"), e.getMessage());
        }
    }

    @Test
    @DisplayName("a UTF-8 byte order mark (Excel's CSV UTF-8 export) is not part of the first column's name")
    void stripsAByteOrderMark() throws IOException {
        Path f = dir.resolve("bom.csv");
        Files.write(f, "\uFEFFdate,a,label\n2026-01-01,1.5,yes\n2026-01-02,2.5,no\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals((byte) 0xEF, Files.readAllBytes(f)[0], "the file starts with the UTF-8 BOM bytes");
        CsvData d = CsvData.read(f, "label", Set.of("date"));
        assertEquals(List.of("a"), d.features());
        assertArrayEquals(new double[] {2.5}, d.row(1));
        CsvData all = CsvData.read(csv("\uFEFFa,b\n1,2\n"), null, Set.of());
        assertEquals(List.of("a", "b"), all.features());
    }
    @Test
    @DisplayName("a header naming two columns alike is refused by train, quantize and eval reads, naming both columns")
    void refusesDuplicateColumnNames() throws IOException {
        // Before: readColumns mapped both model inputs 'a' to column 1 and read returned features [a, a, b].
        Path f = csv("a,a,b,label\n1,2,3,x\n4,5,6,y\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CsvData.read(f, "label", Set.of()));
        assertTrue(e.getMessage().contains("has two columns named 'a' (columns 1 and 2 of the header)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CsvData.readColumns(f, List.of("a", "b"), "label"));
        assertTrue(e.getMessage().contains("has two columns named 'a' (columns 1 and 2 of the header)"), e.getMessage());
        // Also when the repeated name is the label.
        Path g = csv("label,b,label\n1,2,x\n");
        e = assertThrows(IllegalArgumentException.class, () -> CsvData.readColumns(g, List.of("b"), "label"));
        assertTrue(e.getMessage().contains("two columns named 'label' (columns 1 and 3"), e.getMessage());
    }

    @Test
    @DisplayName("training refuses a column with an empty name (a pandas index column) unless dropped; quantize reads ignore it")
    void refusesAnUnnamedColumnItWouldRead() throws IOException {
        Path f = csv(",a,label\n0,1.5,x\n1,2.5,y\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CsvData.read(f, "label", Set.of()));
        assertTrue(e.getMessage().contains("column 1 has an empty name in the header"), e.getMessage());
        assertEquals(List.of("a"), CsvData.read(f, "label", Set.of("")).features());
        assertArrayEquals(new double[] {2.5}, CsvData.readColumns(f, List.of("a"), "label").row(1));
    }

    @Test
    @DisplayName("an unambiguous missing-value marker in the label column (NaN, -nan, N/A, #N/A, <NA>, ?, any case) is "
            + "refused like an empty cell, naming the file, line and column; it used to become a class")
    void refusesMissingValueMarkersAsLabels() throws IOException {
        for (String marker : List.of("NaN", "nan", "-nan", "-NaN", "N/A", "n/a", "#N/A", "<NA>", "<na>", "?")) {
            Path f = csv("a,b,label\n1,2,0\n3,4,1\n5,6," + marker + "\n7,8,1\n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CsvData.read(f, "label", Set.of()), marker);
            assertEquals(f + " line 4: the label column 'label' holds '" + marker + "', which marks a missing value, "
                    + "not a class; fix or remove that row", e.getMessage());
            // quantize --qat and quantize eval read their label column through readColumns
            IllegalArgumentException c = assertThrows(IllegalArgumentException.class,
                    () -> CsvData.readColumns(f, List.of("a", "b"), "label"), marker);
            assertEquals(e.getMessage(), c.getMessage());
        }
        // words that merely contain a marker are classes
        assertEquals(List.of("nano", "Nancy"), CsvData.read(csv("a,label\n1,nano\n2,Nancy\n"), "label", Set.of())
                .labels());
    }

    @Test
    @DisplayName("words that mark a missing value in some tools but are real class names (NA, null, None, nil, missing, "
            + "any case) are classes, flagged by looksMissing; 5dbb3ded refused them, and 'none' is a common class")
    void missingValueWordsAreClassesFlaggedForAWarning() throws IOException {
        for (String word : List.of("NA", "na", "null", "NULL", "None", "none", "nil", "missing", "Missing")) {
            Path f = csv("a,b,fault\n1,2,bearing\n3,4," + word + "\n5,6,imbalance\n7,8," + word + "\n");
            CsvData d = CsvData.read(f, "fault", Set.of());
            assertEquals(List.of("bearing", word, "imbalance", word), d.labels(), word);
            assertEquals(List.of(word), d.classes().stream().filter(CsvData.ClassCount::looksMissing)
                    .map(CsvData.ClassCount::name).toList(), word);
            assertEquals(d.labels(), CsvData.readColumns(f, List.of("a", "b"), "fault").labels(), word);
        }
        for (String name : List.of("nano", "Nancy", "nones", "bearing", "N/A-ish", "0")) {
            assertFalse(new CsvData.ClassCount(name, 5, 2).looksMissing(), name);
        }
    }

    @Test
    @DisplayName("one number written two ways in the label column (1 and 1.0, 01, +1e0) is refused naming both "
            + "spellings and their lines; it used to be two classes")
    void refusesOneNumberWrittenTwoWays() throws IOException {
        for (String other : List.of("1.0", "01", "+1", "1e0", "1.00")) {
            Path f = csv("a,label\n1,0\n2,1\n3,0\n4," + other + "\n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CsvData.read(f, "label", Set.of()), other);
            assertEquals(f + ": the label column 'label' writes one number two ways, '1' (line 3) and '" + other
                    + "' (line 5), which would be two classes; write each class one way", e.getMessage());
        }
        Path zeros = csv("a,label\n1,0\n2,-0.0\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CsvData.read(zeros, "label", Set.of()))
                .getMessage().contains("'0' (line 2) and '-0.0' (line 3)"));
        // one spelling throughout is fine, however it is written, and different numbers are different classes
        assertEquals(List.of("1.0", "10", "1.0", "0.1"),
                CsvData.read(csv("a,label\n1,1.0\n2,10\n3,1.0\n4,0.1\n"), "label", Set.of()).labels());
    }

    @Test
    @DisplayName("classes() counts each class's rows and its first line, and flags a class of one row, or of at most "
            + "3 rows under 0.1 % of the table, as rare")
    void countsClassesAndFlagsRareOnes() throws IOException {
        StringBuilder b = new StringBuilder("a,label\n");
        for (int i = 0; i < 4000; i++) {
            b.append(i).append(',').append(i % 2 == 0 ? "x" : "y").append('\n');
        }
        b.append("1,z\n2,w\n3,w\n4,w\n5,v\n6,v\n6,v\n6,v\n");
        CsvData d = CsvData.read(csv(b.toString()), "label", Set.of());
        assertEquals(List.of(new CsvData.ClassCount("v", 4, 4006), new CsvData.ClassCount("w", 3, 4003),
                new CsvData.ClassCount("x", 2000, 2), new CsvData.ClassCount("y", 2000, 3),
                new CsvData.ClassCount("z", 1, 4002)), d.classes());
        assertEquals(List.of("w", "z"), d.classes().stream().filter(c -> c.rare(d.size()))
                .map(CsvData.ClassCount::name).toList());
        assertTrue(new CsvData.ClassCount("w", 3, 2).rare(3001) && !new CsvData.ClassCount("w", 3, 2).rare(3000));
        // after a split, the first line is still the lowest, not the first in the shuffled order
        CsvData[] parts = d.split(0.5, 7);
        CsvData back = parts[0].concat(parts[1]);
        assertEquals(d.classes(), back.classes());
    }

    @Test
    @DisplayName("Java's number spellings (23.1d, 5f, 0x1p3) are not numbers, as for any non-number; decimal forms "
            + "with sign, point and exponent are (bad-input walk s23: Double.parseDouble accepted them)")
    void javaNumberSpellingsAreRefused() throws IOException {
        for (String bad : List.of("23.1d", "5f", "0x1p3", "1_000", "5D")) {
            Path f = csv("a,label\n1.5,yes\n" + bad + ",no\n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CsvData.read(f, "label", Set.of()), bad);
            assertEquals(f + " line 3: column 'a' holds '" + bad + "', not a number; drop the column with --drop a "
                    + "or fix the row", e.getMessage());
        }
        CsvData d = CsvData.read(csv("a,label\n-1.5e3,yes\n+.5,no\n7.,no\n2E-1,yes\n"), "label", Set.of());
        assertArrayEquals(new double[] {-1500, 0.5, 7, 0.2}, new double[] {d.row(0)[0], d.row(1)[0], d.row(2)[0],
            d.row(3)[0]});
        Path nan = csv("a,label\n1,yes\nNaN,no\n");
        assertEquals(nan + " line 3: column 'a' holds NaN; only finite values are allowed",
                assertThrows(IllegalArgumentException.class, () -> CsvData.read(nan, "label", Set.of())).getMessage());
    }

    @Test
    @DisplayName("a quoted field that does not close on its line (an embedded newline, a stray quote) is named as "
            + "quoting, and a field count off on a line holding a quote points at the quoting (before: 'line 3 has 2 "
            + "fields; expected 3', the quote unmentioned)")
    void quotingErrorsNameTheQuote() throws IOException {
        Path multi = csv("a,b,label\n1,2,yes\n3,\"x\ny\",no\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CsvData.read(multi, "label", Set.of()));
        assertEquals(multi + " line 3 has a double quote (character 3) that opens a quoted field never closed on that "
                + "line; fields cannot span lines: fix the quoting (\"\" inside a quoted field is a quote)",
                e.getMessage());
        Path stray = csv("a,b,label\n1,2,yes\n\"3,4\",no\n");
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class,
                () -> CsvData.read(stray, "label", Set.of()));
        assertTrue(s.getMessage().startsWith(stray + " line 3 has 2 fields; expected 3")
                && s.getMessage().contains("the line holds a double quote: check its quoting"), s.getMessage());
    }
}
