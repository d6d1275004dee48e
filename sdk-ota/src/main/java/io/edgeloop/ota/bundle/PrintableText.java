package io.edgeloop.ota.bundle;

/**
 * Makes text that came from untrusted input (an archive's entry names, a parser's message quoting header bytes)
 * safe to print on a terminal or in a one-line report: every control character (C0, DEL and C1, as
 * {@link Character#isISOControl} defines them: ESC, BEL, NUL, CR, LF, TAB ...) becomes {@code ?}, so an escape
 * sequence cannot recolour, move or clear the terminal and a line cannot be split or overwritten. Used by
 * {@link BundleArchive} for what it quotes and by the {@code edgeloop} CLI for every error line.
 *
 * <p>Thread-safe: stateless.
 */
public final class PrintableText {
    private PrintableText() {
    }

    /**
     * @param text any text
     * @return the text with every control character replaced by {@code ?}
     */
    public static String of(String text) {
        return of(text, Integer.MAX_VALUE);
    }

    /**
     * @param text     any text
     * @param maxChars at most this many characters are kept (the rest is dropped)
     * @return the first {@code maxChars} characters of the text with every control character replaced by {@code ?}
     * @throws IllegalArgumentException when {@code maxChars} is negative
     */
    public static String of(String text, int maxChars) {
        if (maxChars < 0) {
            throw new IllegalArgumentException("maxChars must not be negative, got " + maxChars);
        }
        int n = Math.min(text.length(), maxChars);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        return sb.toString();
    }
}
