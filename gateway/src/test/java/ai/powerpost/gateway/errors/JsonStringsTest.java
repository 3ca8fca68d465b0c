package ai.powerpost.gateway.errors;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.pipeline.ErrorResponseWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one JSON string writer: whatever the string, Jackson (the parser Spring itself uses) reads
 * back exactly that string, from the text and from its UTF-8 bytes; the output never holds a raw
 * control character, line separator or lone surrogate.
 */
class JsonStringsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Property(tries = 5000)
    void anyStringWrittenThenParsedIsTheSameString(@ForAll("strings") String value) throws CharacterCodingException {
        String quoted = JsonStrings.quote(value);

        assertThat(JSON.readValue(quoted, String.class)).isEqualTo(value);
        assertThat(JSON.readValue(strictUtf8(quoted), String.class))
                .as("read from its UTF-8 bytes")
                .isEqualTo(value);
    }

    @Property(tries = 5000)
    void theOutputHoldsNoRawControlCharacterSeparatorOrLoneSurrogate(@ForAll("strings") String value) {
        String quoted = JsonStrings.quote(value);

        assertThat(quoted).startsWith("\"").endsWith("\"");
        for (int i = 0; i < quoted.length(); i++) {
            char c = quoted.charAt(i);
            assertThat(c < 0x20 || c == '\u2028' || c == '\u2029')
                    .as("raw U+%04X at %d in %s", (int) c, i, quoted)
                    .isFalse();
        }
        assertThat(quoted.codePoints().noneMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF))
                .as("no lone surrogate")
                .isTrue();
    }

    @Property(tries = 2000)
    void anErrorBodyCarriesItsMessageExactly(@ForAll("strings") String message) {
        byte[] body = ErrorResponseWriter.body(ApiError.of(HttpStatus.BAD_REQUEST, "VALIDATION_ERROR", message));

        assertThat(JSON.readTree(body).path("error").path("message").asString()).isEqualTo(message);
    }

    @Example
    void theRuleWrittenOut() {
        assertThat(JsonStrings.quote("")).isEqualTo("\"\"");
        assertThat(JsonStrings.quote("plain ascii / é 中 \u007f")).isEqualTo("\"plain ascii / é 中 \u007f\"");
        assertThat(JsonStrings.quote("\"\\")).isEqualTo("\"\\\"\\\\\"");
        assertThat(JsonStrings.quote("\b\f\n\r\t")).isEqualTo("\"\\b\\f\\n\\r\\t\"");
        assertThat(JsonStrings.quote("\u0000\u0001\u001f")).isEqualTo("\"\\u0000\\u0001\\u001f\"");
        assertThat(JsonStrings.quote("a\u2028b\u2029c")).isEqualTo("\"a\\u2028b\\u2029c\"");
        assertThat(JsonStrings.quote("\uD83D\uDE00")).as("a pair stays raw").isEqualTo("\"\uD83D\uDE00\"");
        assertThat(JsonStrings.quote("x\uD83Dy")).as("lone high").isEqualTo("\"x\\ud83dy\"");
        assertThat(JsonStrings.quote("x\uDE00y")).as("lone low").isEqualTo("\"x\\ude00y\"");
        assertThat(JsonStrings.quote("\uDE00\uD83D")).as("reversed pair").isEqualTo("\"\\ude00\\ud83d\"");
        assertThat(JsonStrings.quote("\uD83D")).as("high at the end").isEqualTo("\"\\ud83d\"");
    }

    @Example
    void appendsToWhatIsAlreadyThere() {
        assertThat(JsonStrings.append(new StringBuilder("{\"a\":"), "x\ny")
                        .append('}')
                        .toString())
                .isEqualTo("{\"a\":\"x\\ny\"}");
    }

    /** Any UTF-16 text, weighted towards the characters the rule is about. */
    @Provide
    Arbitrary<String> strings() {
        Arbitrary<Character> special = Arbitraries.of(
                '"', '\\', '/', '\u0000', '\u001f', '\b', '\f', '\n', '\r', '\t', '\u007f', '\u2028', '\u2029',
                '\uD83D', '\uDE00', '\uDBFF', '\uDC00', '\uFFFF', '\uFEFF', 'é');
        Arbitrary<Character> any = Arbitraries.chars().all();
        Arbitrary<Character> controls = Arbitraries.chars().range('\u0000', '\u001f');
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.strings().ofMaxLength(40)),
                net.jqwik.api.Tuple.of(
                        3,
                        Arbitraries.frequencyOf(
                                        net.jqwik.api.Tuple.of(2, special), net.jqwik.api.Tuple.of(2, any),
                                        net.jqwik.api.Tuple.of(1, controls),
                                                net.jqwik.api.Tuple.of(
                                                        3, Arbitraries.chars().alpha()))
                                .list()
                                .ofMaxSize(40)
                                .map(JsonStringsTest::join)),
                net.jqwik.api.Tuple.of(
                        1,
                        Arbitraries.strings().withCharRange('\uD800', '\uDFFF').ofMaxLength(8)));
    }

    private static String join(java.util.List<Character> chars) {
        StringBuilder text = new StringBuilder(chars.size());
        chars.forEach(text::append);
        return text.toString();
    }

    /** The UTF-8 bytes of {@code text}, failing on anything UTF-8 cannot encode (a lone surrogate). */
    private static byte[] strictUtf8(String text) throws CharacterCodingException {
        ByteBuffer bytes = StandardCharsets.UTF_8
                .newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .encode(CharBuffer.wrap(text));
        byte[] out = new byte[bytes.remaining()];
        bytes.get(out);
        return out;
    }
}
