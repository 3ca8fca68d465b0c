package ai.powerpost.gateway.usage;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The rules of unexpected activity, as plain decisions on what one flush of one key observed
 * (the counts it wrote and what Redis held before them, {@link Observation}). Pure: no I/O, no
 * clock; the flush hands it the time. Each finding names its subject and the period it is
 * deduplicated over (one per key, rule, subject and hour or day).
 * <ul>
 * <li>{@code new_network}: a request from a network not seen for this key in the previous
 *     {@code new-network-lookback} (14 days); never on the key's first day of use.</li>
 * <li>{@code hourly_spike}: an hour with more than {@code spike-factor} (10) times the key's median
 *     hour of the previous 7 days and at least {@code spike-minimum} (100) requests. The median is
 *     over the hours in which the key was used: over all 168 it would be 0 for a key idle at
 *     night, and every busy hour would fire. Only for a key first used at least 7 days before the
 *     hour (a new key has no baseline).</li>
 * <li>{@code used_after_successor}: the key used after the key that succeeded it in a roll was first
 *     used.</li>
 * <li>{@code network_count_record}: more networks in a day than on any earlier day of the last 35,
 *     for a key used on at least {@code network-record-min-days} (7) earlier days.</li>
 * </ul>
 */
final class UsageRules {

    static final String NEW_NETWORK = "new_network";
    static final String HOURLY_SPIKE = "hourly_spike";
    static final String USED_AFTER_SUCCESSOR = "used_after_successor";
    static final String NETWORK_COUNT_RECORD = "network_count_record";
    static final List<String> ALL = List.of(NEW_NETWORK, HOURLY_SPIKE, USED_AFTER_SUCCESSOR, NETWORK_COUNT_RECORD);

    static final long HOUR = 3_600_000L;
    static final long DAY = 24 * HOUR;
    /** The spike rule's baseline: the previous 7 days, in hours. */
    static final int BASELINE_HOURS = 7 * 24;

    private final long newNetworkLookbackMillis;
    private final int spikeFactor;
    private final int spikeMinimum;
    private final int networkRecordMinDays;

    UsageRules(long newNetworkLookbackMillis, int spikeFactor, int spikeMinimum, int networkRecordMinDays) {
        this.newNetworkLookbackMillis = newNetworkLookbackMillis;
        this.spikeFactor = spikeFactor;
        this.spikeMinimum = spikeMinimum;
        this.networkRecordMinDays = networkRecordMinDays;
    }

    UsageRules(UsageProperties properties) {
        this(
                properties.newNetworkLookback().toMillis(),
                properties.spikeFactor(),
                properties.spikeMinimum(),
                properties.networkRecordMinDays());
    }

    int spikeMinimum() {
        return spikeMinimum;
    }

    /**
     * What one flush of one key's hour observed.
     *
     * @param keyId               the key
     * @param accountId           its account
     * @param hour                the hour counted (hours since the epoch, UTC)
     * @param hourTotal           the key's requests in that hour, all replicas, after this flush
     * @param firstUse            the key's first recorded use (epoch ms), this flush's included
     * @param lastUse             the newest request of this flush (epoch ms)
     * @param networks            the networks of this flush with what Redis held before it
     * @param dayNetworks         the key's networks that day after this flush when this flush added one, else 0
     * @param previousMaxNetworks the most networks on any earlier day held (35 days)
     * @param previousDays        earlier days with use held (35 days)
     * @param previousHours       the key's requests in each of the 168 hours before {@code hour} (oldest
     *                            first; 0 for an hour without use), or null when not read (the hour is
     *                            under the spike minimum)
     * @param successor           the key that succeeded this one in a roll, or null
     * @param successorFirstUse   that successor's first use (epoch ms), 0 when it was never used
     */
    record Observation(
            String keyId,
            String accountId,
            long hour,
            long hourTotal,
            long firstUse,
            long lastUse,
            List<NetworkSeen> networks,
            long dayNetworks,
            long previousMaxNetworks,
            long previousDays,
            long @Nullable [] previousHours,
            @Nullable String successor,
            long successorFirstUse) {}

    /**
     * A network of this flush.
     *
     * @param cidr         the network
     * @param firstInFlush its first request in this flush (epoch ms)
     * @param lastSeenBefore its newest request Redis held before this flush (epoch ms), 0 for none
     */
    record NetworkSeen(String cidr, long firstInFlush, long lastSeenBefore) {}

    /**
     * A finding before it is stored.
     *
     * @param rule     the rule
     * @param subject  what it is about (a network, a successor, an hour, a day)
     * @param period   the hour or day it is deduplicated over, e.g. {@code 2026-12-08} or {@code 2026-12-08T03}
     * @param at       when (epoch ms)
     * @param evidence the sentence an operator reads
     */
    record Candidate(String rule, String subject, String period, long at, String evidence) {}

    List<Candidate> evaluate(Observation o) {
        List<Candidate> found = new ArrayList<>(2);
        long firstDay = Math.floorDiv(o.firstUse(), DAY);
        for (NetworkSeen network : o.networks()) {
            long day = Math.floorDiv(network.firstInFlush(), DAY);
            boolean seenRecently = network.lastSeenBefore() > 0
                    && network.lastSeenBefore() > network.firstInFlush() - newNetworkLookbackMillis;
            if (!seenRecently && day > firstDay && !Networks.UNKNOWN.equals(network.cidr())) {
                found.add(new Candidate(
                        NEW_NETWORK,
                        network.cidr(),
                        day(network.firstInFlush()),
                        network.firstInFlush(),
                        "first request from " + network.cidr() + " at " + Instant.ofEpochMilli(network.firstInFlush())
                                + ", not seen for this key in the previous "
                                + newNetworkLookbackMillis / DAY + " days"
                                + (network.lastSeenBefore() > 0
                                        ? " (last seen " + Instant.ofEpochMilli(network.lastSeenBefore()) + ")"
                                        : "")));
            }
        }
        long[] previous = o.previousHours();
        long hourStart = o.hour() * HOUR;
        if (previous != null && o.hourTotal() >= spikeMinimum && o.firstUse() <= hourStart - BASELINE_HOURS * HOUR) {
            long median = medianOfUsedHours(previous);
            if (o.hourTotal() > (long) spikeFactor * median) {
                String hour = hour(hourStart);
                found.add(new Candidate(
                        HOURLY_SPIKE,
                        hour,
                        hour,
                        o.lastUse(),
                        o.hourTotal() + " requests in the hour from " + Instant.ofEpochMilli(hourStart)
                                + ", more than " + spikeFactor + " times the median hour of the previous 7 days ("
                                + median + ")"));
            }
        }
        if (o.successor() != null && o.successorFirstUse() > 0 && o.lastUse() > o.successorFirstUse()) {
            found.add(new Candidate(
                    USED_AFTER_SUCCESSOR,
                    o.successor(),
                    day(o.lastUse()),
                    o.lastUse(),
                    "used at " + Instant.ofEpochMilli(o.lastUse()) + ", after its successor " + o.successor()
                            + " was first used at " + Instant.ofEpochMilli(o.successorFirstUse())));
        }
        if (o.dayNetworks() > 0
                && o.previousDays() >= networkRecordMinDays
                && o.dayNetworks() > o.previousMaxNetworks()) {
            String day = day(o.lastUse());
            found.add(new Candidate(
                    NETWORK_COUNT_RECORD,
                    day,
                    day,
                    o.lastUse(),
                    "used from " + o.dayNetworks() + " networks on " + day + ", more than on any of its "
                            + o.previousDays() + " earlier days of use (at most " + o.previousMaxNetworks() + ")"));
        }
        return found;
    }

    /** The median of the hours with use (the lower middle one of an even count); 0 when none. */
    static long medianOfUsedHours(long[] hours) {
        long[] used = Arrays.stream(hours).filter(n -> n > 0).sorted().toArray();
        return used.length == 0 ? 0 : used[(used.length - 1) / 2];
    }

    static String day(long epochMillis) {
        return LocalDate.ofEpochDay(Math.floorDiv(epochMillis, DAY)).toString();
    }

    static String hour(long epochMillis) {
        long hourStart = Math.floorDiv(epochMillis, HOUR) * HOUR;
        return day(hourStart) + "T" + String.format(java.util.Locale.ROOT, "%02d", (hourStart % DAY) / HOUR);
    }
}
