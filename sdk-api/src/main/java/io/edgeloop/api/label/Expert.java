package io.edgeloop.api.label;

import java.io.IOException;
import java.util.Optional;

/**
 * A source of gold labels: a person at a prompt, a file-based queue worked by people elsewhere, or a simulated
 * oracle in tests. Chosen by the caller (there is no discovery: an expert is wired in by the application).
 * sdk-labeling implements it three ways ({@code CliPromptExpert}, {@code FileQueueExpert}, {@code SimulatedOracle})
 * and its {@code ActiveLearner} asks it about the rows its query strategy picks.
 *
 * <p>Implementations document their own thread safety; the active-learning loop calls one expert from one
 * thread.
 */
public interface Expert {
    /** @return a short name for provenance, for example {@code oracle} */
    String name();

    /**
     * Asks for the class of one row.
     *
     * @param query the question
     * @return the class index, or empty when the expert skips or has not answered yet
     * @throws IOException when the expert cannot be reached
     */
    Optional<Integer> answer(ExpertQuery query) throws IOException;
}
