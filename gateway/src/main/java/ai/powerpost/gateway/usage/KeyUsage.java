package ai.powerpost.gateway.usage;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * What a key was used for, day by day (UTC), and from where: what
 * {@code GET /admin/v1/accounts/{accountId}/keys/{keyId}/usage?days=} and the console's key page show.
 *
 * @param keyId    the key
 * @param days     one entry per day of the period asked for, oldest first (days without use included, empty)
 * @param networks the client networks the key was used from in the period (/24 for IPv4, /48 for IPv6), most requests first
 */
public record KeyUsage(String keyId, List<Day> days, List<Network> networks) {

    /**
     * One day.
     *
     * @param date                 the day, UTC
     * @param requestsByRoute      route id (routes.yml) → requests
     * @param answersByStatusClass {@code 2xx}, {@code 3xx}, {@code 4xx}, {@code 5xx} → answers
     */
    public record Day(LocalDate date, Map<String, Long> requestsByRoute, Map<String, Long> answersByStatusClass) {}

    /**
     * A client network.
     *
     * @param cidr      e.g. {@code 203.0.113.0/24}, {@code 2001:db8:1::/48}
     * @param firstSeen first use from it in the period
     * @param lastSeen  last use from it in the period
     * @param requests  requests from it in the period
     */
    public record Network(String cidr, Instant firstSeen, Instant lastSeen, long requests) {}
}
