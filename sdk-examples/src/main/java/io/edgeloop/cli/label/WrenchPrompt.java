package io.edgeloop.cli.label;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeloop.api.label.Expert;
import io.edgeloop.api.label.ExpertQuery;
import io.edgeloop.labeling.active.CliPromptExpert;
import io.edgeloop.labeling.io.WrenchDataset;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code label query --prompt}: a {@link CliPromptExpert} that first shows the row's WRENCH id and {@code data}.
 * End of input stops the run ({@link InputEnded}) instead of skipping every further row.
 *
 * <p>Not thread-safe: one prompt at a time.
 */
final class WrenchPrompt implements Expert {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> ids;
    private final JsonNode train;
    private final PrintWriter out;
    private final CliPromptExpert prompt;
    private int asked;

    /**
     * @param trainFile the data set's train.json, for the rows' data
     * @param data      the data set
     * @param in        where answers are read (UTF-8)
     * @param out       where questions and notices are printed (stderr under {@code --json})
     * @throws IOException when train.json cannot be read
     */
    WrenchPrompt(Path trainFile, WrenchDataset data, InputStream in, PrintWriter out) throws IOException {
        this.ids = data.train().idsInFileOrder();
        this.train = JSON.readTree(trainFile.toFile());
        this.out = out;
        this.prompt = new CliPromptExpert(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), out,
                data.classNames(), List.of());
    }

    @Override
    public String name() {
        return "cli";
    }

    @Override
    public Optional<Integer> answer(ExpertQuery query) throws IOException {
        if (prompt.inputEnded()) {
            throw new InputEnded(asked);
        }
        asked++;
        String id = ids.get(query.row());
        String shown = train.path(id).path("data").toString();
        out.printf(Locale.ROOT, "%ntrain id %s: %s%n", id, shown.length() > 600 ? shown.substring(0, 600)
                + "..." : shown);
        Optional<Integer> a = prompt.answer(query);
        if (prompt.inputEnded()) {
            throw new InputEnded(asked - 1);
        }
        return a;
    }

    /** The prompt's input ended: the run stops there (the answers given are already saved). */
    static final class InputEnded extends IOException {
        private static final long serialVersionUID = 1L;
        /** Questions answered or skipped before the input ended. */
        final transient int asked;

        InputEnded(int asked) {
            super("input ended");
            this.asked = asked;
        }
    }
}
