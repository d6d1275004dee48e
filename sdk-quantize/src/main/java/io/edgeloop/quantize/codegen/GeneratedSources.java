package io.edgeloop.quantize.codegen;

/**
 * The generated C99 sources of one model.
 *
 * <p>Thread-safe: immutable.
 *
 * @param header the text of {@code model.h}
 * @param source the text of {@code model.c}
 */
public record GeneratedSources(String header, String source) {
}
