package ai.powerpost.gateway.usage;

import ai.powerpost.gateway.redis.RedisSchema;
import ai.powerpost.gateway.redis.RedisScripts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Usage per key and its findings in Redis: the reads of the management API and the console
 * ({@link UsageQueries}), and the one writer of findings. A finding is stored once per key, rule,
 * subject and period whichever replica finds it ({@link UsageScripts#APPEND_FINDING}), and counted
 * in {@code gateway_usage_findings_total{rule}} by the replica that stored it.
 */
public final class UsageStore implements UsageQueries {

    /** The most findings one query returns (newest first). */
    public static final int MAX_FINDINGS = 500;
    /** The metric of stored findings, tagged by rule only (never by key). */
    public static final String FINDINGS_METRIC = "gateway.usage.findings";

    private final ReactiveStringRedisTemplate redis;
    private final Clock clock;
    private final Map<String, Counter> findings = new HashMap<>();

    public UsageStore(ReactiveStringRedisTemplate redis, MeterRegistry meters, Clock clock) {
        this.redis = redis;
        this.clock = clock;
        for (String rule : UsageRules.ALL) {
            findings.put(
                    rule,
                    Counter.builder(FINDINGS_METRIC)
                            .description("Findings of unexpected activity stored, by rule")
                            .tag("rule", rule)
                            .register(meters));
        }
    }

    @Override
    public Mono<KeyUsage> usage(String accountId, String keyId, int days) {
        if (days < 1 || days > UsageKeys.RETENTION.toDays()) {
            return Mono.error(new IllegalArgumentException("days must be 1 to " + UsageKeys.RETENTION.toDays()));
        }
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        return redis.<String, String>opsForHash()
                .hasKey(RedisSchema.accountKeys(accountId), keyId)
                .filter(Boolean::booleanValue)
                .flatMap(exists -> Flux.range(0, days)
                        .map(i -> today.minusDays(days - 1 - i))
                        .flatMapSequential(date -> day(keyId, date), 8)
                        .collectList()
                        .map(read -> summarise(keyId, read)));
    }

    private record DayRead(LocalDate date, Map<String, String> counts, Map<String, String> networks) {}

    private Mono<DayRead> day(String keyId, LocalDate date) {
        String name = date.toString();
        return Mono.zip(entries(UsageKeys.day(keyId, name)), entries(UsageKeys.dayNetworks(keyId, name)))
                .map(both -> new DayRead(date, both.getT1(), both.getT2()));
    }

    private Mono<Map<String, String>> entries(String key) {
        return redis.<String, String>opsForHash().entries(key).collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    private static KeyUsage summarise(String keyId, List<DayRead> read) {
        List<KeyUsage.Day> days = new ArrayList<>(read.size());
        Map<String, long[]> networks = new LinkedHashMap<>(); // cidr → first, last, requests
        for (DayRead day : read) {
            Map<String, Long> routes = new TreeMap<>();
            Map<String, Long> classes = new TreeMap<>();
            day.counts().forEach((field, value) -> {
                if (field.startsWith("r:")) {
                    routes.put(field.substring(2), Long.parseLong(value));
                } else if (field.startsWith("s:")) {
                    classes.put(field.substring(2), Long.parseLong(value));
                }
            });
            days.add(new KeyUsage.Day(day.date(), routes, classes));
            day.networks().forEach((cidr, requests) -> {
                long[] acc = networks.computeIfAbsent(cidr, c -> new long[] {Long.MAX_VALUE, 0, 0});
                acc[0] = Math.min(acc[0], number(day.counts().get("nf:" + cidr), Long.MAX_VALUE));
                acc[1] = Math.max(acc[1], number(day.counts().get("nl:" + cidr), 0));
                acc[2] += Long.parseLong(requests);
            });
        }
        List<KeyUsage.Network> list = networks.entrySet().stream()
                .map(e -> new KeyUsage.Network(
                        e.getKey(),
                        Instant.ofEpochMilli(e.getValue()[0] == Long.MAX_VALUE ? e.getValue()[1] : e.getValue()[0]),
                        Instant.ofEpochMilli(e.getValue()[1]),
                        e.getValue()[2]))
                .sorted(Comparator.comparingLong(KeyUsage.Network::requests)
                        .reversed()
                        .thenComparing(KeyUsage.Network::cidr))
                .toList();
        return new KeyUsage(keyId, List.copyOf(days), list);
    }

    private static long number(@Nullable String value, long otherwise) {
        return value == null ? otherwise : Long.parseLong(value);
    }

    @Override
    public Flux<Finding> findings(Instant since) {
        return read(UsageKeys.FINDINGS, since);
    }

    @Override
    public Flux<Finding> findingsOfKey(String keyId, Instant since) {
        return read(UsageKeys.findingsOf(keyId), since);
    }

    private Flux<Finding> read(String key, Instant since) {
        return redis.opsForZSet()
                .reverseRangeByScore(
                        key,
                        Range.closed((double) since.toEpochMilli(), Double.MAX_VALUE),
                        Limit.limit().count(MAX_FINDINGS))
                .mapNotNull(UsageStore::parse);
    }

    /** Stores a finding unless it was stored before; counts it when stored. */
    Mono<Void> append(String keyId, String accountId, UsageRules.Candidate candidate) {
        String id = UUID.nameUUIDFromBytes(
                        (candidate.rule() + "\n" + keyId + "\n" + candidate.subject() + "\n" + candidate.period())
                                .getBytes(StandardCharsets.UTF_8))
                .toString();
        String entry = String.join(
                "\t",
                id,
                accountId,
                keyId,
                candidate.rule(),
                Long.toString(candidate.at()),
                candidate.evidence().replace('\t', ' ').replace('\n', ' '));
        long retention = UsageKeys.RETENTION.toMillis();
        List<String> args = List.of(
                Long.toString(candidate.at()),
                entry,
                Long.toString(retention),
                Long.toString(clock.millis() - retention));
        return RedisScripts.eval(
                        redis,
                        UsageScripts.APPEND_FINDING,
                        List.of(UsageKeys.FINDINGS, UsageKeys.findingSeen(id)),
                        args)
                .filter(stored -> stored == 1L)
                .flatMap(stored -> {
                    findings.get(candidate.rule()).increment();
                    return RedisScripts.eval(
                            redis, UsageScripts.APPEND_KEY_FINDING, List.of(UsageKeys.findingsOf(keyId)), args);
                })
                .then();
    }

    private static @Nullable Finding parse(String entry) {
        String[] parts = entry.split("\t", 6);
        if (parts.length != 6) {
            return null;
        }
        return new Finding(
                parts[0], parts[1], parts[2], parts[3], Instant.ofEpochMilli(Long.parseLong(parts[4])), parts[5]);
    }
}
