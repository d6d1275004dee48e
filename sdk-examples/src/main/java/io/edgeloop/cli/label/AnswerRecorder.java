package io.edgeloop.cli.label;

import io.edgeloop.api.label.Expert;
import io.edgeloop.api.label.ExpertQuery;
import io.edgeloop.labeling.active.AnswersFile;
import io.edgeloop.labeling.io.WrenchDataset;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * {@code label query --answers-out FILE}: records every reply of an expert in FILE as it arrives, an answer as
 * {@code {"row":..,"label":..}} and a skip as {@code "label": null} (so a skipped row is not asked again, as in a
 * queue), so an interrupted session keeps what was answered. A new FILE starts with the data set's identity.
 *
 * <p>Not thread-safe: one expert, one loop.
 */
final class AnswerRecorder implements Expert {
    private final Expert delegate;
    private final Path file;
    private final Map<String, Object> identity;

    private AnswerRecorder(Expert delegate, Path file, Map<String, Object> identity) {
        this.delegate = delegate;
        this.file = file;
        this.identity = identity;
    }

    /**
     * Reads FILE (when it exists), checks that it belongs to the data set, and wraps the expert.
     *
     * @param delegate who answers
     * @param file     the answers file
     * @param data     the data set
     * @param warnings where warnings go (a file without identity, a repaired torn last line)
     * @return the recorder and what FILE held
     * @throws IOException when FILE is a directory, unreadable, malformed or of another data set
     */
    static Opened open(Expert delegate, Path file, WrenchDataset data, PrintWriter warnings) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("--answers-out " + file + " is a directory; give the path of a file "
                    + "(for example " + file.resolve("answers.jsonl") + ")");
        }
        // Whose file it is is settled before anything changes: only an answers file of this data set (its line 1 is
        // the identity label query writes) is this run's to repair; any other file is read strictly and, unless it is
        // a whole answers file without identity (docs/formats/expert-queue.md), refused unchanged.
        Optional<Map<String, Object>> lineOne = AnswersFile.identity(file);
        if (lineOne.isPresent()) {
            QueueIdentity.checkLineOne(file, lineOne.get(), data);
            AnswersFile.repairTornTail(file).ifPresent(w -> {
                warnings.println("edgeloop: warning: " + w);
                warnings.flush();
            });
        }
        AnswersFile.Contents c;
        try {
            c = AnswersFile.read(file, data.numClasses(), data.train().size(), data.train().fileRowsById());
        } catch (IOException e) {
            if (lineOne.isPresent()) {
                throw e;
            }
            IOException x = new IOException("--answers-out " + file + " is not an answers file (its line 1 is not the "
                    + "{\"identity\": ...} line label query writes, and " + e.getMessage() + "); it was left "
                    + "unchanged: give a new file, or the answers file of an earlier run");
            x.addSuppressed(e);
            throw x;
        }
        QueueIdentity.checkAnswers(file, c, data, warnings);
        return new Opened(new AnswerRecorder(delegate, file, QueueIdentity.of(data)), c);
    }

    /**
     * @param expert   the recording expert
     * @param contents what the file held before this run
     */
    record Opened(AnswerRecorder expert, AnswersFile.Contents contents) {
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Optional<Integer> answer(ExpertQuery query) throws IOException {
        Optional<Integer> a = delegate.answer(query);
        AnswersFile.append(file, identity, query.row(), a);
        return a;
    }
}
