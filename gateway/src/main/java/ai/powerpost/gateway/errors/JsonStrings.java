package ai.powerpost.gateway.errors;

/**
 * The one JSON string writer of the gateway: its error bodies ({@link ErrorResponseWriter}) and
 * its access-log lines ({@code metrics.AccessLogCheck}) both quote text with it.
 *
 * <p>The rule, RFC 8259 section 7, and two choices beyond it:
 * <ul>
 * <li>{@code "} and {@code \} are escaped as {@code \"} and {@code \\};</li>
 * <li>every control character U+0000 to U+001F is escaped: {@code \b \f \n \r \t} by their short
 *     forms, the others as {@code \}{@code u00XX} (lower-case hex). Nothing is dropped, so a log line
 *     says what a client sent, and a raw line break can never split or forge a line;</li>
 * <li>U+2028 and U+2029 (line and paragraph separators) are escaped too: JSON allows them raw,
 *     but JavaScript before ES2019 and some log viewers take them for line breaks;</li>
 * <li>a lone surrogate (a high one not followed by a low one, or a low one not preceded by a high
 *     one) is escaped as {@code \}{@code uXXXX}: written raw it would become {@code ?} once
 *     encoded as UTF-8, and the output would not be valid UTF-8. The escape is valid JSON and a
 *     parser gives back the same UTF-16 string. A well-formed surrogate pair is written as it is;</li>
 * <li>everything else, including DEL (U+007F) and non-ASCII text, is written as it is.</li>
 * </ul>
 */
public final class JsonStrings {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonStrings() {}

    /** Appends {@code value} to {@code json} as a JSON string literal, quotes included. */
    public static StringBuilder append(StringBuilder json, CharSequence value) {
        json.append('"');
        int length = value.length();
        int clean = 0; // start of the run of characters not yet copied, none needing an escape
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\' && c < 0x2028) {
                continue; // the common case: printable ASCII and most of the BMP
            }
            if (!needsEscape(value, i, c)) {
                if (Character.isHighSurrogate(c)) {
                    i++; // the pair's low half is written with it
                }
                continue;
            }
            json.append(value, clean, i);
            escape(json, c);
            clean = i + 1;
        }
        return json.append(value, clean, length).append('"');
    }

    /** {@code value} as a JSON string literal, quotes included. */
    public static String quote(CharSequence value) {
        return append(new StringBuilder(value.length() + 2), value).toString();
    }

    private static boolean needsEscape(CharSequence value, int i, char c) {
        if (c < 0x20 || c == '"' || c == '\\' || c == '\u2028' || c == '\u2029') {
            return true;
        }
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1));
        }
        // a low surrogate reached here has no high one before it: pairs are skipped whole
        return Character.isLowSurrogate(c);
    }

    private static void escape(StringBuilder json, char c) {
        switch (c) {
            case '"' -> json.append("\\\"");
            case '\\' -> json.append("\\\\");
            case '\b' -> json.append("\\b");
            case '\f' -> json.append("\\f");
            case '\n' -> json.append("\\n");
            case '\r' -> json.append("\\r");
            case '\t' -> json.append("\\t");
            default ->
                json.append("\\u")
                        .append(HEX[(c >> 12) & 0xf])
                        .append(HEX[(c >> 8) & 0xf])
                        .append(HEX[(c >> 4) & 0xf])
                        .append(HEX[c & 0xf]);
        }
    }
}
