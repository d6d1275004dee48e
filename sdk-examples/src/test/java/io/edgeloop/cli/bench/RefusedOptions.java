package io.edgeloop.cli.bench;

import static io.edgeloop.cli.InProcessCli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgeloop.cli.Edgeloop;
import io.edgeloop.cli.InProcessCli.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The check of the benches' bad-options tests: exit 1 with one line, no output, nothing created in --dir. */
final class RefusedOptions {
    private RefusedOptions() {
    }

    /**
     * Runs {@code edgeloop bench <bench> --json --dir <dir> <options>} and checks it is refused before anything runs.
     *
     * @param dir     the scratch directory given as {@code --dir}, empty
     * @param bench   the bench command
     * @param options the bad options, separated by spaces
     * @param message the error line expected after {@code edgeloop: }
     * @throws IOException when {@code dir} cannot be listed
     */
    static void assertRefusedBeforeAnythingRuns(Path dir, String bench, String options, String message)
            throws IOException {
        List<String> args = new ArrayList<>(List.of("bench", bench, "--json", "--dir", dir.toString()));
        args.addAll(List.of(options.split(" ")));
        Result r = run(args.toArray(String[]::new));
        assertEquals(Edgeloop.EXIT_FAILURE, r.code(), r.err());
        assertEquals("edgeloop: " + message, r.err().strip());
        assertEquals("", r.out());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(0, s.count(), "nothing was created");
        }
    }
}
