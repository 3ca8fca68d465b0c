package ai.powerpost.gateway.usage;

import java.time.Duration;

/**
 * The Redis names of usage per key (docs/redis-schema.md, "Usage per key"). Every name of one key
 * carries the key's id as its hash tag, {@code ppgw:usage:{<keyId>}:…}, so one flush's writes of
 * one key are one script in one cluster slot; the findings share {@code {findings}}. Key ids only,
 * never a secret or its hash.
 */
final class UsageKeys {

    /** How long usage is kept: the longest period the usage API answers for. */
    static final Duration RETENTION = Duration.ofDays(35);
    /** The stream of findings, newest last (a sorted set by time). */
    static final String FINDINGS = "ppgw:usage:{findings}";

    private UsageKeys() {}

    private static String prefix(String keyId) {
        return "ppgw:usage:{" + keyId + "}:";
    }

    /** HASH: {@code n} (requests) and {@code r:<route>} of one hour, e.g. {@code …:h:2026-12-08T03}. */
    static String hour(String keyId, String hour) {
        return prefix(keyId) + "h:" + hour;
    }

    /** HASH: {@code r:<route>}, {@code s:<class>}, {@code nf:<cidr>}, {@code nl:<cidr>} of one day. */
    static String day(String keyId, String day) {
        return prefix(keyId) + "d:" + day;
    }

    /** HASH: {@code <cidr>} → requests of one day. */
    static String dayNetworks(String keyId, String day) {
        return prefix(keyId) + "n:" + day;
    }

    /** HASH: hour (hours since the epoch) → requests, for the last 35 days. */
    static String hours(String keyId) {
        return prefix(keyId) + "hours";
    }

    /** HASH: day (days since the epoch) → networks that day, for the last 35 days. */
    static String networkDays(String keyId) {
        return prefix(keyId) + "netdays";
    }

    /** HASH: {@code <cidr>} → the newest request from it (epoch ms), for the last 35 days. */
    static String networksSeen(String keyId) {
        return prefix(keyId) + "nets";
    }

    /** HASH: {@code first} (the first recorded use, epoch ms), {@code pruned} (the day {@link #networksSeen} was last pruned). */
    static String meta(String keyId) {
        return prefix(keyId) + "meta";
    }

    /** ZSET: the key's findings by time. */
    static String findingsOf(String keyId) {
        return prefix(keyId) + "findings";
    }

    /** STRING: present once the finding with this deduplication id was stored. */
    static String findingSeen(String findingId) {
        return FINDINGS + ":seen:" + findingId;
    }
}
