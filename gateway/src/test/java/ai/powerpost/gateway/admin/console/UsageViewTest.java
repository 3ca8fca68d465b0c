package ai.powerpost.gateway.admin.console;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.usage.Finding;
import ai.powerpost.gateway.usage.KeyUsage;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The key page's usage sections, drawn from hand-made usage: what they show, and that nothing given runs. */
class UsageViewTest {

    private static final String HOSTILE = "<script>alert(1)</script>\"'&";
    private static final LocalDate FIRST = LocalDate.of(2026, 11, 1);

    private static KeyUsage usage(int days, Map<String, Long> eachDay, List<KeyUsage.Network> networks) {
        List<KeyUsage.Day> list = new ArrayList<>();
        for (int i = 0; i < days; i++) {
            list.add(new KeyUsage.Day(FIRST.plusDays(i), eachDay, Map.of("2xx", 1L)));
        }
        return new KeyUsage("key_1", list, networks);
    }

    @Test
    void drawsOneBarPerDayAndRouteScaledToTheBusiestDay() {
        List<KeyUsage.Day> days = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            days.add(new KeyUsage.Day(
                    FIRST.plusDays(i),
                    i == 3 ? Map.of("posts", 30L, "media", 10L) : i == 4 ? Map.of("posts", 20L) : Map.of(),
                    Map.of()));
        }
        String svg = UsageView.chart(new KeyUsage("key_1", days, List.of()));
        assertThat(svg).startsWith("<svg").contains("</svg>");
        assertThat(count(svg, "<rect x=")).isEqualTo(3);
        assertThat(svg).contains(">40</text>"); // the busiest day's total labels the axis
        assertThat(svg)
                .contains("2026-11-04 posts: 30")
                .contains("2026-11-04 media: 10")
                .contains("2026-11-05 posts: 20");
        // the busiest day's bars fill the plot's height: 30 and 10 of 40
        Matcher heights = Pattern.compile("height=\"([0-9.]+)\" fill").matcher(svg);
        List<Double> found = new ArrayList<>();
        while (heights.find()) {
            found.add(Double.parseDouble(heights.group(1)));
        }
        assertThat(found.get(0) + found.get(1)).isCloseTo(186.0, org.assertj.core.data.Offset.offset(0.2));
        assertThat(svg).contains("<li>").contains("posts").contains("media");
    }

    @Test
    void namesTheBusiestRoutesAndFoldsTheRestIntoOther() {
        Map<String, Long> routes = new LinkedHashMap<>();
        for (int i = 0; i < 9; i++) {
            routes.put("route-" + i, (long) (i + 1));
        }
        List<String> series = UsageView.series(usage(2, routes, List.of()));
        assertThat(series).containsExactly("route-8", "route-7", "route-6", "route-5", "route-4", "route-3", "other");
    }

    @Test
    void anEmptyPeriodSaysSoInsteadOfAnEmptyChart() {
        assertThat(UsageView.chart(usage(30, Map.of(), List.of())))
                .doesNotContain("<svg")
                .contains("No requests");
        assertThat(UsageView.networks(usage(1, Map.of(), List.of()))).contains("No client networks");
        assertThat(UsageView.findings(List.of())).contains("No unexpected activity");
    }

    @Test
    void listsTheNetworksAndTheFindings() {
        KeyUsage usage = usage(
                1,
                Map.of("posts", 5L),
                List.of(new KeyUsage.Network(
                        "203.0.113.0/24",
                        Instant.parse("2026-11-01T10:00:00Z"),
                        Instant.parse("2026-11-01T11:00:00Z"),
                        5)));
        Finding finding = new Finding(
                "f1",
                "acct",
                "key_1",
                "new_network",
                Instant.parse("2026-11-01T10:00:00Z"),
                "first request from 198.51.100.0/24, not seen in the previous 14 days");
        String html = UsageView.render(usage, List.of(finding));
        assertThat(html).contains("<code>203.0.113.0/24</code>").contains(">5</td>");
        assertThat(html).contains("<strong>new_network</strong>").contains("first request from 198.51.100.0/24");
    }

    @Test
    void hostileRouteNetworkAndEvidenceStringsAreShownAsText() {
        KeyUsage usage = usage(
                3,
                Map.of(HOSTILE, 7L, "posts", 1L),
                List.of(new KeyUsage.Network(HOSTILE, Instant.EPOCH, Instant.EPOCH, 1)));
        Finding finding = new Finding(
                "f", "a", "k", HOSTILE, Instant.EPOCH, "evidence " + HOSTILE + " <img src=x onerror=alert(1)>");
        String html = UsageView.render(usage, List.of(finding));
        assertThat(html).doesNotContain("<script").doesNotContain("<img").doesNotContain("alert(1)</script>");
        assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;");
        assertThat(html).contains("&lt;img src=x onerror=alert(1)&gt;");
        // every tag in the output is one of the view's own
        Matcher tags = Pattern.compile("<(/?)([a-zA-Z0-9]+)").matcher(html);
        while (tags.find()) {
            assertThat(tags.group(2))
                    .isIn(
                            "section", "h2", "svg", "line", "text", "rect", "title", "ul", "li", "table", "thead",
                            "tbody", "tr", "th", "td", "code", "strong", "span", "br", "p");
        }
    }

    @Test
    void withoutUsageQueriesTheSectionSaysUsageIsNotRecorded() {
        assertThat(UsageView.notRecorded()).contains("Usage is not recorded");
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }
}
