package io.edgeloop.labeling.active;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON Lines files of the expert queue, read strictly: UTF-8 only (a byte-order mark on line 1 is accepted),
 * one JSON object per line with nothing after it and no key twice. Every error names the file and line.
 *
 * <p>Thread-safe: static methods and an immutable mapper.
 */
final class JsonLines {
    /** Rejects trailing tokens (two objects on one line, junk after the object) and duplicate keys. */
    static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private JsonLines() {
    }

    /**
     * A file's text split into lines.
     *
     * @param lines      the lines without their terminators ({@code \n} or {@code \r\n}); the last one may be
     *                   unterminated
     * @param tail       the bytes after the last {@code \n} (0 when the file ends with one or is empty)
     * @param size       the file size in bytes
     */
    record Text(List<String> lines, int tail, long size) {
    }

    /**
     * Reads a whole file as UTF-8 lines.
     *
     * @param f    the file
     * @param role what the file is, for messages ({@code "answers file"})
     * @return its lines
     * @throws IOException naming the file and what to do when it cannot be read or is not UTF-8
     */
    static Text read(Path f, String role) throws IOException {
        if (Files.isDirectory(f)) {
            throw new IOException(f + " is a directory, not a " + role + "; give the path of a file");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(f);
        } catch (AccessDeniedException e) {
            throw error(f + ": permission denied reading the " + role + "; make it readable", e);
        } catch (FileSystemException e) {
            throw error(f + ": cannot read the " + role + " (" + reason(e) + ")", e);
        }
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = dec.decode(in, out, true);
        if (!r.isError()) {
            r = dec.flush(out);
        }
        if (r.isError()) {
            int at = in.position();
            int line = 1;
            for (int i = 0; i < at; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new IOException(f + ": line " + line + " is not UTF-8 text (bad byte at offset " + at + "); save the "
                    + role + " as UTF-8");
        }
        out.flip();
        String text = out.toString();
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                lines.add(stripCr(text.substring(start, i)));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            lines.add(stripCr(text.substring(start)));
        }
        int lastNewline = -1;
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                lastNewline = i;
                break;
            }
        }
        return new Text(lines, bytes.length - 1 - lastNewline, bytes.length);
    }

    private static String stripCr(String s) {
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    /**
     * Parses one line as a JSON object, strictly.
     *
     * @param f     the file, for messages
     * @param index the 0-based line index
     * @param line  the line
     * @return the object
     * @throws IOException naming file and line when the line is not exactly one JSON object without repeated keys
     */
    static JsonNode parseObject(Path f, int index, String line) throws IOException {
        JsonNode n;
        try {
            n = STRICT.readTree(line);
        } catch (MismatchedInputException e) {
            throw error(f + ": line " + (index + 1) + " has more after its JSON object (one object per "
                    + "line): " + abbreviate(line), e);
        } catch (JsonProcessingException e) {
            // one line is parsed at a time: the parser's column is within it, its line always 1
            throw error(f + ": line " + (index + 1) + " is not valid JSON (" + (e.getLocation() == null ? ""
                    : "column " + e.getLocation().getColumnNr() + ": ")
                    + io.edgeloop.labeling.io.JsonSyntax.reason(e.getOriginalMessage()) + "): " + abbreviate(line), e);
        }
        if (n == null || !n.isObject()) {
            throw new IOException(f + ": line " + (index + 1) + " is not a JSON object: " + abbreviate(line));
        }
        return n;
    }

    /** At most 120 characters of a line, for messages. */
    static String abbreviate(String line) {
        return line.length() <= 120 ? line : line.substring(0, 120) + "...";
    }

    /**
     * An error whose message already says everything: the low-level exception is attached as suppressed (shown by
     * stack traces) rather than as the cause, so one-line error reports do not repeat it.
     */
    static IOException error(String message, Exception detail) {
        IOException e = new IOException(message);
        e.addSuppressed(detail);
        return e;
    }

    /** The reason of a file-system error without the path it repeats. */
    static String reason(FileSystemException e) {
        String r = e.getReason();
        return r != null ? r : e.getClass().getSimpleName();
    }
}
