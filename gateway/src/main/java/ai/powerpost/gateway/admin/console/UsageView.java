package ai.powerpost.gateway.admin.console;

import static ai.powerpost.gateway.admin.console.Html.escape;

import ai.powerpost.gateway.usage.Finding;
import ai.powerpost.gateway.usage.KeyUsage;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The key page's usage sections, drawn from {@link KeyUsage} and {@link Finding}s: requests per day
 * by route as an SVG drawn here (stacked bars, one colour per route, the busiest
 * {@value #MAX_ROUTES} routes named and the rest as "other"), the client networks as a table, and
 * the findings as a list. No script; every route id, network and evidence escaped.
 */
final class UsageView {

    static final int MAX_ROUTES = 6;
    static final String OTHER = "other";
    private static final String[] COLOURS = {"#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626", "#0891b2", "#6b7280"
    };
    private static final int WIDTH = 720;
    private static final int HEIGHT = 220;
    private static final int LEFT = 48;
    private static final int BOTTOM = 24;
    private static final int TOP = 10;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("MM-dd");

    private UsageView() {}

    /** The section shown when no usage is recorded (no {@code UsageQueries} in this gateway). */
    static String notRecorded() {
        return "<section><h2>Usage</h2><p class=\"muted\">Usage is not recorded by this gateway.</p></section>";
    }

    /** The section shown when the usage could not be read just now. */
    static String unavailable() {
        return "<section><h2>Usage</h2><p class=\"error\">The key's usage could not be read just now; reload to try again.</p></section>";
    }

    /** The three sections: chart, networks, findings. */
    static String render(KeyUsage usage, List<Finding> findings) {
        return "<section><h2>Requests per day by route (" + usage.days().size() + " days)</h2>"
                + chart(usage)
                + "</section><section><h2>Client networks</h2>"
                + networks(usage)
                + "</section><section><h2>Unexpected activity</h2>"
                + findings(findings)
                + "</section>";
    }

    /** The routes in the chart's order: the busiest first, at most {@value #MAX_ROUTES}, then "other" if any remain. */
    static List<String> series(KeyUsage usage) {
        Map<String, Long> totals = new TreeMap<>();
        for (KeyUsage.Day day : usage.days()) {
            day.requestsByRoute().forEach((route, count) -> totals.merge(route, count, Long::sum));
        }
        List<String> routes = new ArrayList<>(totals.keySet());
        routes.sort(Comparator.comparing((String route) -> -totals.get(route)).thenComparing(route -> route));
        if (routes.size() <= MAX_ROUTES) {
            return routes;
        }
        List<String> shown = new ArrayList<>(routes.subList(0, MAX_ROUTES));
        shown.add(OTHER);
        return shown;
    }

    static String chart(KeyUsage usage) {
        List<KeyUsage.Day> days = usage.days();
        List<String> series = series(usage);
        if (days.isEmpty() || series.isEmpty()) {
            return "<p class=\"muted\">No requests in this period.</p>";
        }
        List<Map<String, Long>> stacked = new ArrayList<>();
        long max = 0;
        for (KeyUsage.Day day : days) {
            Map<String, Long> bars = new LinkedHashMap<>();
            long total = 0;
            for (Map.Entry<String, Long> entry : day.requestsByRoute().entrySet()) {
                String name = series.contains(entry.getKey()) && !OTHER.equals(entry.getKey()) ? entry.getKey() : OTHER;
                bars.merge(name, entry.getValue(), Long::sum);
                total += entry.getValue();
            }
            stacked.add(bars);
            max = Math.max(max, total);
        }
        if (max == 0) {
            return "<p class=\"muted\">No requests in this period.</p>";
        }
        int plotWidth = WIDTH - LEFT - 8;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        double slot = (double) plotWidth / days.size();
        double barWidth = Math.max(1, slot * 0.8);
        StringBuilder svg = new StringBuilder();
        svg.append("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
                .append(WIDTH)
                .append(' ')
                .append(HEIGHT)
                .append("\" width=\"")
                .append(WIDTH)
                .append("\" height=\"")
                .append(HEIGHT)
                .append("\" role=\"img\" aria-label=\"requests per day by route\">");
        // axis and the maximum's label
        svg.append("<line x1=\"")
                .append(LEFT)
                .append("\" y1=\"")
                .append(TOP + plotHeight)
                .append("\" x2=\"")
                .append(WIDTH - 8)
                .append("\" y2=\"")
                .append(TOP + plotHeight)
                .append("\" stroke=\"#9ca3af\"/>");
        svg.append("<text x=\"")
                .append(LEFT - 6)
                .append("\" y=\"")
                .append(TOP + 10)
                .append("\" text-anchor=\"end\" font-size=\"11\" fill=\"#374151\">")
                .append(max)
                .append("</text><text x=\"")
                .append(LEFT - 6)
                .append("\" y=\"")
                .append(TOP + plotHeight)
                .append("\" text-anchor=\"end\" font-size=\"11\" fill=\"#374151\">0</text>");
        for (int i = 0; i < days.size(); i++) {
            double x = LEFT + i * slot + (slot - barWidth) / 2;
            double y = TOP + plotHeight;
            Map<String, Long> bars = stacked.get(i);
            for (int s = 0; s < series.size(); s++) {
                long count = bars.getOrDefault(series.get(s), 0L);
                if (count == 0) {
                    continue;
                }
                double h = (double) count * plotHeight / max;
                y -= h;
                svg.append("<rect x=\"")
                        .append(fmt(x))
                        .append("\" y=\"")
                        .append(fmt(y))
                        .append("\" width=\"")
                        .append(fmt(barWidth))
                        .append("\" height=\"")
                        .append(fmt(h))
                        .append("\" fill=\"")
                        .append(colour(s))
                        .append("\"><title>")
                        .append(escape(days.get(i).date() + " " + series.get(s) + ": " + count))
                        .append("</title></rect>");
            }
            if (i % 5 == 0 || i == days.size() - 1) {
                svg.append("<text x=\"")
                        .append(fmt(LEFT + i * slot + slot / 2))
                        .append("\" y=\"")
                        .append(HEIGHT - 6)
                        .append("\" text-anchor=\"middle\" font-size=\"10\" fill=\"#374151\">")
                        .append(escape(DAY.format(days.get(i).date())))
                        .append("</text>");
            }
        }
        svg.append("</svg>");
        StringBuilder legend = new StringBuilder("<ul class=\"legend\">");
        for (int s = 0; s < series.size(); s++) {
            legend.append(
                            "<li><svg width=\"12\" height=\"12\" aria-hidden=\"true\"><rect width=\"12\" height=\"12\" fill=\"")
                    .append(colour(s))
                    .append("\"/></svg> ")
                    .append(escape(series.get(s)))
                    .append("</li>");
        }
        legend.append("</ul>");
        return svg.append(legend).toString();
    }

    static String networks(KeyUsage usage) {
        if (usage.networks().isEmpty()) {
            return "<p class=\"muted\">No client networks in this period.</p>";
        }
        StringBuilder html = new StringBuilder(
                "<table><thead><tr><th>Network</th><th>Requests</th><th>First seen</th><th>Last seen</th></tr></thead><tbody>");
        for (KeyUsage.Network network : usage.networks()) {
            html.append("<tr><td><code>")
                    .append(escape(network.cidr()))
                    .append("</code></td><td class=\"num\">")
                    .append(network.requests())
                    .append("</td><td>")
                    .append(escape(ConsolePages.when(network.firstSeen())))
                    .append("</td><td>")
                    .append(escape(ConsolePages.when(network.lastSeen())))
                    .append("</td></tr>");
        }
        return html.append("</tbody></table>").toString();
    }

    static String findings(List<Finding> findings) {
        if (findings.isEmpty()) {
            return "<p class=\"muted\">No unexpected activity found in this period.</p>";
        }
        StringBuilder html = new StringBuilder("<ul class=\"findings\">");
        for (Finding finding : findings) {
            html.append("<li><strong>")
                    .append(escape(finding.rule()))
                    .append("</strong> <span class=\"muted\">")
                    .append(escape(ConsolePages.when(finding.at())))
                    .append("</span><br>")
                    .append(escape(finding.evidence()))
                    .append("</li>");
        }
        return html.append("</ul>").toString();
    }

    private static String colour(int series) {
        return COLOURS[Math.min(series, COLOURS.length - 1)];
    }

    private static String fmt(double value) {
        return String.format(java.util.Locale.ROOT, "%.1f", value);
    }
}
