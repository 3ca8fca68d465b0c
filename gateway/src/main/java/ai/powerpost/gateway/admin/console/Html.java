package ai.powerpost.gateway.admin.console;

import org.jspecify.annotations.Nullable;

/**
 * The console's one escaping function: every string that did not come from this package's own
 * constants (names, ids, route ids, evidence, URLs, messages) passes through {@link #escape} before
 * it reaches a page, in text and in (always double-quoted) attribute values alike, HTML and SVG.
 */
final class Html {

    private Html() {}

    /**
     * {@code value} as text safe in HTML and XML (SVG) text and double- or single-quoted attribute
     * values: {@code & < > " '} become character references, and control characters other than tab,
     * line feed and carriage return (which no page needs, and XML refuses) become U+FFFD. Null is empty.
     */
    static String escape(@Nullable Object value) {
        if (value == null) {
            return "";
        }
        String text = value.toString();
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String replacement = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                default -> (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f ? "\uFFFD" : null;
            };
            if (replacement != null && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }
}
