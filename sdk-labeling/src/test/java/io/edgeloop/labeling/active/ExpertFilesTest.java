package io.edgeloop.labeling.active;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.label.ExpertQuery;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The expert queue's files and the prompt under bad input: locks, torn lines, strict answers, odd bytes. */
class ExpertFilesTest {
    private static ExpertQuery query(int row) {
        return new ExpertQuery(row, new double[] {0.5, 0.5}, new int[] {1, -1}, new double[] {3.5});
    }

    @Nested
    @DisplayName("one run at a time per queue")
    class Locking {
        @Test
        @DisplayName("a second opener fails at once naming the queue; after close the queue opens again")
        void secondOpenerFails(@TempDir Path dir) throws IOException {
            FileQueueExpert first = new FileQueueExpert(dir, 2);
            IOException e = assertThrows(IOException.class, () -> new FileQueueExpert(dir, 2));
            assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("in use by another run")
                    && e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
            first.close();
            first.close();
            assertThrows(IllegalStateException.class, () -> first.answer(query(1)), "use after close");
            try (FileQueueExpert again = new FileQueueExpert(dir, 2)) {
                assertTrue(again.answer(query(1)).isEmpty());
            }
        }

        @Test
        @DisplayName("a lock held by another process is refused naming its pid, and kill -9 of that process frees "
                + "the queue")
        void otherProcessAndKill(@TempDir Path dir) throws Exception {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), QueueLockHolder.class.getName(), dir.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8));
                assertEquals("locked", out.readLine(), "the holder took the lock");
                IOException e = assertThrows(IOException.class, () -> new FileQueueExpert(dir, 2));
                assertTrue(e.getMessage().contains("pid " + p.pid()), e.getMessage());
            } finally {
                p.destroyForcibly();
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the killed holder ended");
            }
            try (FileQueueExpert q = new FileQueueExpert(dir, 2)) {
                assertTrue(q.queued().isEmpty());
            }
        }
    }

    @Nested
    @DisplayName("queries.jsonl, Edgeloop's own file")
    class Queries {
        @Test
        @DisplayName("a torn last line (no newline, not a whole question) is cut off with a warning and the queue "
                + "works on")
        void tornTailIsCut(@TempDir Path dir) throws IOException {
            Path q = dir.resolve("queries.jsonl");
            String good = "{\"version\":1,\"row\":3}\n{\"version\":1,\"row\":4}\n";
            Files.writeString(q, good + "{\"version\":1,\"row\":5,\"probabil");
            List<String> warnings = new ArrayList<>();
            try (FileQueueExpert e = new FileQueueExpert(dir, 2, warnings::add)) {
                assertEquals(Set.of(3, 4), e.queued());
                assertEquals(good, Files.readString(q), "the torn tail is gone, the rest untouched");
                assertEquals(1, warnings.size());
                assertTrue(warnings.get(0).contains(q.toString()) && warnings.get(0).contains("torn line 3"),
                        warnings.get(0));
                assertTrue(e.answer(query(5)).isEmpty());
            }
            List<String> lines = Files.readAllLines(q);
            assertEquals(3, lines.size());
            assertTrue(lines.get(2).startsWith("{\"version\":1,\"row\":5,"), lines.get(2));
            try (FileQueueExpert e = new FileQueueExpert(dir, 2, warnings::add)) {
                assertEquals(Set.of(3, 4, 5), e.queued());
                assertEquals(1, warnings.size(), "nothing left to repair");
            }
        }

        @Test
        @DisplayName("a whole question that only lost its newline is kept and terminated")
        void wholeTailIsKept(@TempDir Path dir) throws IOException {
            Path q = dir.resolve("queries.jsonl");
            Files.writeString(q, "{\"version\":1,\"row\":3}\n{\"version\":1,\"row\":4}");
            List<String> warnings = new ArrayList<>();
            try (FileQueueExpert e = new FileQueueExpert(dir, 2, warnings::add)) {
                assertEquals(Set.of(3, 4), e.queued());
                e.answer(query(6));
            }
            assertEquals(List.of("{\"version\":1,\"row\":3}", "{\"version\":1,\"row\":4}"),
                    Files.readAllLines(q).subList(0, 2));
            assertEquals(3, Files.readAllLines(q).size());
            assertTrue(warnings.get(0).contains("no newline"), warnings.toString());
        }

        @Test
        @DisplayName("a bad line that is not the torn tail still stops the read, naming file and line")
        void badMiddleLine(@TempDir Path dir) throws IOException {
            Files.writeString(dir.resolve("queries.jsonl"), "{\"version\":1,\"row\":3}\n{\"version\":1,\"ro\n"
                    + "{\"version\":1,\"row\":4}\n");
            IOException e = assertThrows(IOException.class, () -> new FileQueueExpert(dir, 2));
            assertTrue(e.getMessage().contains("queries.jsonl") && e.getMessage().contains("line 2"), e.getMessage());
            try (FileQueueExpert ok = new FileQueueExpert(dir.resolve("other"), 2)) {
                assertTrue(ok.queued().isEmpty(), "the failed open released its lock");
            }
            Files.delete(dir.resolve("queries.jsonl"));
            new FileQueueExpert(dir, 2).close();
        }

        @Test
        @DisplayName("a BOM on line 1 is accepted; a queue path that is a regular file is refused with what to do")
        void bomAndRegularFile(@TempDir Path dir) throws IOException {
            Files.write(dir.resolve("queries.jsonl"), bom("{\"version\":1,\"row\":3}\n"));
            try (FileQueueExpert e = new FileQueueExpert(dir, 2)) {
                assertEquals(Set.of(3), e.queued());
            }
            Path file = dir.resolve("afile");
            Files.writeString(file, "x");
            IOException e = assertThrows(IOException.class, () -> new FileQueueExpert(file, 2));
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("not a queue directory")
                    && e.getMessage().contains("give a directory"), e.getMessage());
        }
    }

    private static byte[] bom(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[b.length + 3];
        out[0] = (byte) 0xEF;
        out[1] = (byte) 0xBB;
        out[2] = (byte) 0xBF;
        System.arraycopy(b, 0, out, 3, b.length);
        return out;
    }

    @Nested
    @DisplayName("answers files are read strictly")
    class Answers {
        @Test
        @DisplayName("two objects on one line, junk after the object and a repeated key are errors naming file and "
                + "line")
        void strict(@TempDir Path dir) throws IOException {
            Path f = dir.resolve("answers.jsonl");
            for (String bad : List.of("{\"row\":5,\"label\":1}{\"row\":6,\"label\":1}", "{\"row\":5,\"label\":1} xyz",
                    "{\"row\":5,\"label\":1} {}", "{\"row\":5,\"label\":1,\"label\":0}",
                    "{\"row\":5,\"row\":6,\"label\":1}")) {
                Files.writeString(f, "{\"row\":1,\"label\":0}\n" + bad + "\n");
                IOException e = assertThrows(IOException.class, () -> AnswersFile.read(f, 2, 100), bad);
                assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("line 2"),
                        bad + " -> " + e.getMessage());
            }
            Files.writeString(f, "{\"row\":5,\"label\":1,\"label\":0}\n");
            IOException e = assertThrows(IOException.class, () -> AnswersFile.read(f, 2, 100));
            assertTrue(e.getMessage().contains("Duplicate field 'label'"), e.getMessage());
        }

        @Test
        @DisplayName("a file that is not UTF-8 names the file, the line and the fix; a BOM on line 1 is accepted; "
                + "CRLF line ends are accepted")
        void encoding(@TempDir Path dir) throws IOException {
            Path f = dir.resolve("answers.jsonl");
            byte[] latin1 = "{\"row\":1,\"label\":0}\n{\"row\":2,\"label\":1,\"by\":\"Jos\u00e9\"}\n"
                    .getBytes(StandardCharsets.ISO_8859_1);
            Files.write(f, latin1);
            IOException e = assertThrows(IOException.class, () -> AnswersFile.read(f, 2, 100));
            assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("line 2")
                    && e.getMessage().contains("not UTF-8") && e.getMessage().contains("save the answers file as UTF-8"),
                    e.getMessage());
            Files.write(f, bom("{\"row\":1,\"label\":0}\r\n{\"row\":2,\"label\":1}\r\n"));
            assertEquals(Map.of(1, 0, 2, 1), AnswersFile.read(f, 2, 100).answers());
        }

        @Test
        @DisplayName("an answers path that is a directory is refused, naming it")
        void directory(@TempDir Path dir) {
            IOException e = assertThrows(IOException.class, () -> AnswersFile.read(dir, 2, 100));
            assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("is a directory"),
                    e.getMessage());
            e = assertThrows(IOException.class, () -> AnswersFile.append(dir, null, 1, Optional.of(0)));
            assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("is a directory"),
                    e.getMessage());
        }

        @Test
        @DisplayName("appending writes the identity first into a new file, skips as null, and never joins a line "
                + "left without its newline")
        void append(@TempDir Path dir) throws IOException {
            Path f = dir.resolve("sub").resolve("a.jsonl");
            Map<String, Object> id = Map.of("version", 1, "dataset", "toy");
            AnswersFile.append(f, id, 4, Optional.of(1));
            AnswersFile.append(f, id, 5, Optional.empty());
            List<String> lines = Files.readAllLines(f);
            assertEquals(3, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("{\"identity\":{"), lines.get(0));
            assertEquals("{\"row\":5,\"label\":null}", lines.get(2));
            Files.writeString(f, "{\"row\":6,\"label\":0}", java.nio.file.StandardOpenOption.APPEND);
            AnswersFile.append(f, id, 7, Optional.of(0));
            AnswersFile.Contents c = AnswersFile.read(f, 2, 100);
            assertEquals(Map.of(4, 1, 6, 0, 7, 0), c.answers());
            assertEquals(Set.of(5), c.skipped());
            assertEquals(Optional.of(Map.<String, Object>of("version", 1, "dataset", "toy")), c.identity());

            Path plain = dir.resolve("plain.jsonl");
            AnswersFile.append(plain, null, 1, Optional.of(0));
            assertEquals(List.of("{\"row\":1,\"label\":0}"), Files.readAllLines(plain), "no identity asked, none "
                    + "written");
            assertFalse(AnswersFile.read(plain, 2, 100).identity().isPresent());
            Files.writeString(plain, "{\"identity\":{\"version\":1}}\n", java.nio.file.StandardOpenOption.APPEND);
            IOException e = assertThrows(IOException.class, () -> AnswersFile.read(plain, 2, 100));
            assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("only as line 1"), e.getMessage());
        }
    }

    @Nested
    @DisplayName("the CLI prompt never crashes")
    class Prompt {
        private final StringWriter out = new StringWriter();

        private CliPromptExpert prompt(String input, String... classes) {
            return new CliPromptExpert(new BufferedReader(new StringReader(input)), new PrintWriter(out),
                    List.of(classes), List.of());
        }

        @Test
        @DisplayName("huge numbers, negative numbers and garbage are re-asked, and the third one skips saying so")
        void garbage() throws IOException {
            String longLine = "9".repeat(100_000);
            CliPromptExpert e = prompt("99999999999\n-1\n" + longLine + "\n2\n1e9\n\u0000\u00ff\n1\n", "ham", "spam");
            assertEquals(Optional.empty(), e.answer(query(1)));
            assertTrue(out.toString().contains("'99999999999' is not one of [ham, spam] or an index 0..1"),
                    out.toString());
            assertTrue(out.toString().contains("skipped row 1 after 3 unrecognised answers"), out.toString());
            assertEquals(Optional.empty(), e.answer(query(2)));
            assertEquals(Optional.of(1), e.answer(query(3)));
            assertFalse(e.inputEnded());
        }

        @Test
        @DisplayName("class names match ignoring case when only one class matches; an ambiguous name is re-asked")
        void caseInsensitive() throws IOException {
            assertEquals(Optional.of(1), prompt("spam\n", "HAM", "SPAM").answer(query(1)));
            assertEquals(Optional.of(0), prompt("  Ham \n", "HAM", "SPAM").answer(query(1)));
            CliPromptExpert e = prompt("spam\nSpam\nSPAM\n", "Spam", "SPAM");
            assertEquals(Optional.of(0), e.answer(query(1)), "exact match wins");
            assertEquals(Optional.of(1), e.answer(query(2)));
            CliPromptExpert ambiguous = prompt("spam\n1\n", "Spam", "SPAM");
            assertEquals(Optional.of(1), ambiguous.answer(query(1)));
            assertTrue(out.toString().contains("'spam' matches [Spam, SPAM] ignoring case"), out.toString());
        }

        @Test
        @DisplayName("empty and skip say skipped; end of input returns empty, is reported, and reads no more")
        void skipsAndEof() throws IOException {
            CliPromptExpert e = prompt("\nskip\n", "a", "b");
            assertEquals(Optional.empty(), e.answer(query(7)));
            assertEquals(Optional.empty(), e.answer(query(8)));
            assertTrue(out.toString().contains("skipped row 7") && out.toString().contains("skipped row 8"),
                    out.toString());
            assertFalse(e.inputEnded());
            assertEquals(Optional.empty(), e.answer(query(9)));
            assertTrue(e.inputEnded());
            int printed = out.toString().length();
            assertEquals(Optional.empty(), e.answer(query(10)));
            assertEquals(printed, out.toString().length(), "nothing asked after the input ended");
        }
    }
}
