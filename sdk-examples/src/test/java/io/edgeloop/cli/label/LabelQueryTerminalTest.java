package io.edgeloop.cli.label;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.cli.Edgeloop;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code label query --prompt} at a real terminal: the CLI runs under {@code script(1)} (util-linux), so its stdin
 * and stdout are a pseudo-terminal with echo and line discipline, and the test answers each question only after
 * the prompt for it has appeared, as a person would. {@link LabelQueryFilesTest} covers the same prompt with piped
 * stdin; this test proves the prompt is flushed before the CLI waits, and that Ctrl-D at the terminal ends the
 * session with the answers kept.
 */
class LabelQueryTerminalTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROMPT = "(empty to skip): ";
    private static final long WAIT_MS = 120_000; // liveness bound: each wait ends as soon as the prompt appears

    /** Collects everything the terminal shows, for waiting on prompts. */
    private static final class Screen implements Runnable {
        private final InputStream in;
        private final StringBuilder text = new StringBuilder();

        Screen(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    synchronized (this) {
                        text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                        notifyAll();
                    }
                }
            } catch (IOException e) {
                synchronized (this) {
                    text.append("\n[terminal read failed: ").append(e).append("]\n");
                    notifyAll();
                }
            }
        }

        synchronized String text() {
            return text.toString().replace("\r", "");
        }

        /** Waits until the terminal has shown {@code count} prompts. */
        synchronized void awaitPrompts(int count, Process p) throws InterruptedException {
            long end = System.currentTimeMillis() + WAIT_MS;
            while (occurrences(text.toString(), PROMPT) < count) {
                long left = end - System.currentTimeMillis();
                if (left <= 0 || !p.isAlive()) {
                    fail("prompt " + count + " did not appear (" + (p.isAlive() ? "timed out" : "CLI exited")
                            + "); the terminal showed:\n" + text());
                }
                wait(Math.min(left, 500));
            }
        }
    }

    private static int occurrences(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + part.length())) {
            n++;
        }
        return n;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    @Test
    @DisplayName("at a real terminal each question's prompt is shown before the CLI waits; a class index, a class "
            + "name and an empty line (skip) are taken; Ctrl-D ends the session and every answer given is kept")
    void answersAtARealTerminal(@TempDir Path tmp) throws Exception {
        Path script = Path.of("/usr/bin/script");
        assertTrue(Files.isExecutable(script), "this test needs script(1) from util-linux (Debian package bsdutils;"
                + " scripts/install-test-deps.sh installs it)");
        Path answers = tmp.resolve("answers.jsonl");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = String.join(" ", quote(java), "-Xmx512m", "-XX:TieredStopAtLevel=1",
                "-cp", quote(System.getProperty("java.class.path")), Edgeloop.class.getName(),
                "label", "query", "--wrench", quote(LabelCommandTest.wrench("youtube").toString()), "--prompt",
                "--budget", "6", "--batch", "2", "--model", "mv", "--answers-out", quote(answers.toString()));
        // -q: no start/done lines, -e: exit with the child's status, -c: run the command; no typescript file.
        Process p = new ProcessBuilder(script.toString(), "-qec", command, "/dev/null")
                .redirectErrorStream(true).start();
        Screen screen = new Screen(p.getInputStream());
        Thread reader = new Thread(screen, "terminal-reader");
        reader.setDaemon(true);
        reader.start();
        try (OutputStream keys = p.getOutputStream()) {
            String[] typed = {"1\n", "spam\n", "\n"};
            for (int i = 0; i < typed.length; i++) {
                screen.awaitPrompts(i + 1, p);
                keys.write(typed[i].getBytes(StandardCharsets.UTF_8));
                keys.flush();
            }
            screen.awaitPrompts(4, p);
            keys.write(4); // Ctrl-D at the start of a line: end of input at the terminal
            keys.flush();
            assertTrue(p.waitFor(WAIT_MS, TimeUnit.MILLISECONDS), "CLI did not end after Ctrl-D:\n" + screen.text());
        } finally {
            p.destroyForcibly();
        }
        reader.join(10_000);
        String shown = screen.text();
        assertEquals(0, p.exitValue(), shown);

        List<Integer> asked = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^row (\\d+)$").matcher(shown);
        while (m.find()) {
            asked.add(Integer.parseInt(m.group(1)));
        }
        assertEquals(4, asked.size(), "four questions shown:\n" + shown);
        assertTrue(shown.contains("skipped row " + asked.get(2)), shown);
        assertTrue(shown.contains("input ended; 2 answer(s) are in"), shown);

        List<String> lines = Files.readAllLines(answers);
        JsonNode identity = JSON.readTree(lines.get(0)).get("identity");
        assertEquals("youtube", identity.get("dataset").asText(), lines.get(0));
        assertEquals(List.of("{\"row\":" + asked.get(0) + ",\"label\":1}",
                "{\"row\":" + asked.get(1) + ",\"label\":1}",
                "{\"row\":" + asked.get(2) + ",\"label\":null}"), lines.subList(1, lines.size()),
                "the fourth question, ended by Ctrl-D, records nothing");
    }
}
