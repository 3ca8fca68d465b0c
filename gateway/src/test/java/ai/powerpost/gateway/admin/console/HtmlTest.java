package ai.powerpost.gateway.admin.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HtmlTest {

    @Test
    void escapesTheFiveCharactersThatEndTextOrAnAttribute() {
        assertThat(Html.escape("<img src=x onerror=alert(1)>")).isEqualTo("&lt;img src=x onerror=alert(1)&gt;");
        assertThat(Html.escape("a & b")).isEqualTo("a &amp; b");
        assertThat(Html.escape("\"x\" 'y'")).isEqualTo("&quot;x&quot; &#39;y&#39;");
        assertThat(Html.escape("&lt;")).isEqualTo("&amp;lt;");
    }

    @Test
    void leavesPlainTextAsItIs() {
        String plain = "key_01 posts:publish 203.0.113.0/24 ünïcødé";
        assertThat(Html.escape(plain)).isSameAs(plain);
    }

    @Test
    void nullIsEmptyAndControlCharactersAreReplaced() {
        assertThat(Html.escape(null)).isEmpty();
        assertThat(Html.escape("a\u0000b\u001bc\u007f")).isEqualTo("a\uFFFDb\uFFFDc\uFFFD");
        assertThat(Html.escape("line\nnext\ttab")).isEqualTo("line\nnext\ttab");
    }

    @Test
    void escapesAnythingByItsText() {
        assertThat(Html.escape(new StringBuilder("</script>"))).isEqualTo("&lt;/script&gt;");
    }
}
