package io.edgeloop.quantize.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
