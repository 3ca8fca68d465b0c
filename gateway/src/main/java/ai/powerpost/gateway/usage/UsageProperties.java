package ai.powerpost.gateway.usage;

import ai.powerpost.gateway.config.PositiveDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Last-used recording and usage per key ({@code gateway.usage.*}).
 *
 * @param flushInterval          how often pending last-used times are written to Redis (kept to the minute:
 *                               at most one write per key and minute, batched per shard)
 * @param countsFlushInterval    how often usage counts per key are written to Redis (one write per key and
 *                               hour per interval, batched per shard) and the rules of unexpected activity run
 * @param maxPending             keys whose last use is held at most (pending, or used in the last few minutes: a
 *                               key in use keeps its entry); uses of further keys are dropped and counted
 * @param maxKeys                keys whose usage is counted at most between two counts flushes; requests of further
 *                               keys are not counted (dropped and counted in {@code gateway.usage.counts.dropped})
 * @param maxNetworksPerKey      client networks counted at most per key between two flushes; requests from
 *                               further networks count for their route and status, not for a network
 * @param newNetworkLookback     {@code new_network}: a network not seen for the key in this long is new
 * @param spikeFactor            {@code hourly_spike}: an hour above this many times the key's median hour
 * @param spikeMinimum           {@code hourly_spike}: ... and with at least this many requests
 * @param networkRecordMinDays   {@code network_count_record}: days of use the key needs before a day's count of
 *                               networks can be a record
 * @param successorCacheTtl      how long a key's roll successor (and that successor's first use) is cached
 */
@Validated
@ConfigurationProperties("gateway.usage")
public record UsageProperties(
        @DefaultValue("5s") @NotNull @PositiveDuration Duration flushInterval,
        @DefaultValue("1m") @NotNull @PositiveDuration Duration countsFlushInterval,
        @DefaultValue("200000") @Min(1) int maxPending,
        @DefaultValue("200000") @Min(1) int maxKeys,
        @DefaultValue("1000") @Min(1) @Max(100000) int maxNetworksPerKey,
        @DefaultValue("14d") @NotNull @PositiveDuration Duration newNetworkLookback,
        @DefaultValue("10") @Min(2) int spikeFactor,
        @DefaultValue("100") @Min(1) int spikeMinimum,
        @DefaultValue("7") @Min(1) @Max(34) int networkRecordMinDays,
        @DefaultValue("1m") @NotNull @PositiveDuration Duration successorCacheTtl) {

    @ConstructorBinding
    public UsageProperties {}

    /** As before the counts had their own interval: the counts flushed as often as the last-used times. */
    public UsageProperties(
            Duration flushInterval,
            int maxPending,
            int maxKeys,
            int maxNetworksPerKey,
            Duration newNetworkLookback,
            int spikeFactor,
            int spikeMinimum,
            int networkRecordMinDays,
            Duration successorCacheTtl) {
        this(
                flushInterval,
                flushInterval,
                maxPending,
                maxKeys,
                maxNetworksPerKey,
                newNetworkLookback,
                spikeFactor,
                spikeMinimum,
                networkRecordMinDays,
                successorCacheTtl);
    }

    /** Last-used recording alone; usage counting and its rules with their defaults. */
    public UsageProperties(Duration flushInterval, int maxPending) {
        this(
                flushInterval,
                Duration.ofMinutes(1),
                maxPending,
                200_000,
                1000,
                Duration.ofDays(14),
                10,
                100,
                7,
                Duration.ofMinutes(1));
    }
}
