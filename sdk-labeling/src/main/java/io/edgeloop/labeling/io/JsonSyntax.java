package io.edgeloop.labeling.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;

/**
 * Says what is wrong with malformed JSON in plain words: where (line and column) and Jackson's reason without its
 * parser state. Jackson's own message quotes that state ({@code "(start marker at [Source: REDACTED
 * (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1])"}) and advice; the messages of
 * the labeling files (WRENCH splits, answers and queue files, provenance files) name the file themselves and use
 * this for the rest.
 *
 * <p>Thread-safe: static methods.
 */
public final class JsonSyntax {
    private JsonSyntax() {
    }

    /**
     * Where the parser stopped and why.
     *
     * @param e the parser's error (a Jackson {@code JsonProcessingException}; the type is not in this signature, so
     *          this module's API does not export Jackson's); any other exception gives its message
     * @return {@code "line L, column C: reason"}, or just the reason when the parser gave no location
     */
    public static String describe(IOException e) {
        if (!(e instanceof JsonProcessingException)) {
            return String.valueOf(e.getMessage());
        }
        JsonProcessingException j = (JsonProcessingException) e;
        JsonLocation at = j.getLocation();
        String reason = reason(j.getOriginalMessage());
        return at == null || at.getLineNr() < 1 ? reason
                : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": " + reason;
    }

    /**
     * Jackson's reason without its advice and repetitions: the text up to the first ':' outside quotes and
     * parentheses ("Unexpected end-of-input: expected close marker ..." gives "Unexpected end-of-input";
     * "Unexpected character ('x' (code 120)): ..." keeps the character).
     *
     * @param message Jackson's original message ({@code JsonProcessingException.getOriginalMessage()}), may be null
     * @return the reason, "unreadable JSON" when there is none
     */
    public static String reason(String message) {
        if (message == null || message.isBlank()) {
            return "unreadable JSON";
        }
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c == '\'' || c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')') {
                depth = Math.max(0, depth - 1);
            } else if (!quoted && depth == 0 && (c == ':' || c == '\n')) {
                return message.substring(0, i).strip();
            }
        }
        return message.strip();
    }
}
