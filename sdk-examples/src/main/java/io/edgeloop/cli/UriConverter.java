package io.edgeloop.cli;

import java.net.URI;
import java.net.URISyntaxException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a destination URI option ({@code --to}). A path with a space (or another character a URI cannot hold, such
 * as a non-ASCII letter where the parser refuses one) is not a URI as typed: the error says to percent-encode it and, when the text has a scheme, gives the encoded form, instead of the URI
 * parser's "Illegal character in path at index 11". picocli names the option in its error.
 *
 * <p>Thread-safe: stateless.
 */
public final class UriConverter implements ITypeConverter<URI> {
    @Override
    public URI convert(String value) {
        try {
            return new URI(value);
        } catch (URISyntaxException e) {
            throw new TypeConversionException(refusal(value));
        }
    }

    private static String refusal(String value) {
        String printable = io.edgeloop.ota.bundle.PrintableText.of(value);
        String encoded = encoded(value);
        return "'" + printable + "' is not a URI: percent-encode spaces and other characters a URI cannot hold"
                + (encoded == null ? "" : " (" + encoded + ")");
    }

    /** The value with what a URI cannot hold percent-encoded, or null when that does not make it one. */
    private static String encoded(String value) {
        int colon = value.indexOf(':');
        if (colon < 1) {
            return null;
        }
        int hash = value.indexOf('#', colon);
        try {
            String e = new URI(value.substring(0, colon), value.substring(colon + 1, hash < 0 ? value.length() : hash),
                    hash < 0 ? null : value.substring(hash + 1)).toASCIIString();
            new URI(e);
            return e;
        } catch (URISyntaxException ex) {
            return null;
        }
    }
}
