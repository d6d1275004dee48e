package io.edgeloop.labeling.active;

import io.edgeloop.api.label.Expert;
import io.edgeloop.api.label.ExpertQuery;
import io.edgeloop.tck.ExpertContractTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The sdk-tck expert contract against the SDK's simulated oracle, file queue and command-line prompt. */
class ExpertContractTests {
    static List<ExpertQuery> queries() {
        return List.of(new ExpertQuery(0, new double[] {0.7, 0.3}, new int[] {0, -1}, new double[] {20.5, 410}),
                new ExpertQuery(1, new double[] {0.2, 0.8}, new int[] {1, 1}, new double[] {25.0, 900}),
                new ExpertQuery(2, new double[] {0.5, 0.5}, new int[] {-1, -1}, new double[] {22.0, 600}));
    }

    @Nested
    class Oracle extends ExpertContractTest {
        @Override
        protected Expert expert() {
            return new SimulatedOracle(new int[] {0, 1, -1});
        }

        @Override
        protected List<ExpertQuery> queries() {
            return ExpertContractTests.queries();
        }
    }

    @Nested
    class FileQueue extends ExpertContractTest {
        @TempDir
        Path dir;

        @Override
        protected Expert expert() throws IOException {
            return new FileQueueExpert(dir.resolve("queue"), 2);
        }

        @Override
        protected List<ExpertQuery> queries() {
            return ExpertContractTests.queries();
        }

        @Override
        protected void answerLater(List<ExpertQuery> asked) throws IOException {
            // the experts' tool answers row 0 and 1 and skips row 2 (docs/formats/expert-queue.md)
            Files.writeString(dir.resolve("queue").resolve("answers.jsonl"),
                    "{\"row\":0,\"label\":0}\n{\"row\":1,\"label\":1}\n{\"row\":2,\"label\":null}\n");
        }

        @Override
        protected Expert unreachableExpert() throws IOException {
            // answers.jsonl cannot be read: a directory in its place
            Path q = dir.resolve("broken-queue");
            Files.createDirectories(q.resolve("answers.jsonl"));
            return new FileQueueExpert(q, 2);
        }
    }

    @Nested
    class Cli extends ExpertContractTest {
        @Override
        protected Expert expert() {
            // a person typing a class name, an index, a skip, then the same again for the second round
            return new CliPromptExpert(new BufferedReader(new StringReader("empty\n1\nskip\nEMPTY\noccupied\n\n")),
                    new PrintWriter(new StringWriter()), List.of("empty", "occupied"), List.of("temp", "co2"));
        }

        @Override
        protected List<ExpertQuery> queries() {
            return ExpertContractTests.queries();
        }

        @Override
        protected Expert unreachableExpert() {
            Reader failing = new Reader() {
                @Override
                public int read(char[] buf, int off, int len) throws IOException {
                    throw new IOException("terminal gone");
                }

                @Override
                public void close() {
                }
            };
            return new CliPromptExpert(new BufferedReader(failing), new PrintWriter(new StringWriter()),
                    List.of("empty", "occupied"), List.of("temp", "co2"));
        }
    }
}
