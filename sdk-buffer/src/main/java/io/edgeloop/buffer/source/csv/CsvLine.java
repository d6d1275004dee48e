package io.edgeloop.buffer.source.csv;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one CSV line into fields: comma-separated, fields optionally in double quotes, a doubled quote inside
 * quotes is a literal quote (RFC 4180 without multi-line fields, which sensor logs never contain).
 *
 * <p>Thread-safe: stateless.
 */
final class CsvLine {
    private CsvLine() {
    }

    /**
     * Splits a line.
     *
     * @param line the line without its line terminator
     * @return the fields, unquoted
     * @throws IllegalArgumentException when a quoted field is not terminated or text follows a closing quote
     */
    static List<String> split(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int i = 0;
        int n = line.length();
        while (true) {
            cur.setLength(0);
            if (i < n && line.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < n && line.charAt(i) == '"') {
                            cur.append('"');
                            i++;
                        } else {
                            closed = true;
                            break;
                        }
                    } else {
                        cur.append(c);
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("unterminated quoted field");
                }
                if (i < n && line.charAt(i) != ',') {
                    throw new IllegalArgumentException("text after a closing quote at column " + (i + 1));
                }
            } else {
                while (i < n && line.charAt(i) != ',') {
                    cur.append(line.charAt(i++));
                }
            }
            fields.add(cur.toString());
            if (i >= n) {
                return fields;
            }
            i++; // the comma
        }
    }
}
