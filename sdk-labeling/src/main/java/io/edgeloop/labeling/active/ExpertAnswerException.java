package io.edgeloop.labeling.active;

import java.util.Map;

/**
 * An {@link io.edgeloop.api.label.Expert} answered with a class outside {@code [0, classes)}. The message names the
 * expert, the row and the value; {@link #answersSoFar()} holds every valid answer received before it (known ones
 * included), so a caller can keep them and resume.
 *
 * <p>Thread-safe: immutable.
 */
public final class ExpertAnswerException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Valid answers by row; a {@link Map#copyOf} copy, so the exception stays immutable. */
    @SuppressWarnings("serial")
    private final Map<Integer, Integer> answersSoFar;
    private final String expert;
    private final int row;
    private final int value;

    ExpertAnswerException(String expert, int row, int value, int classes, Map<Integer, Integer> answersSoFar) {
        super("expert '" + expert + "' answered class " + value + " for row " + row + "; classes are [0, " + classes
                + "); the " + answersSoFar.size() + " valid answers so far are kept in the exception");
        this.expert = expert;
        this.row = row;
        this.value = value;
        this.answersSoFar = Map.copyOf(answersSoFar);
    }

    /** @return the valid answers received before the bad one, by row */
    public Map<Integer, Integer> answersSoFar() {
        return answersSoFar;
    }

    /** @return the expert's name */
    public String expert() {
        return expert;
    }

    /** @return the row the bad answer was for */
    public int row() {
        return row;
    }

    /** @return the out-of-range class answered */
    public int value() {
        return value;
    }
}
