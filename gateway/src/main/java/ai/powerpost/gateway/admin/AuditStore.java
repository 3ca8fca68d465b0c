package ai.powerpost.gateway.admin;

import static ai.powerpost.gateway.admin.RedisRetry.retried;

import ai.powerpost.gateway.redis.RedisSchema;
import ai.powerpost.gateway.redis.RedisScripts;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import reactor.core.publisher.Mono;

/**
 * The audit trail in Redis (docs/redis-schema.md): a stream, {@link RedisSchema#AUDIT}, trimmed
 * by age as it is appended to ({@code XADD … MINID ~ <now - retention>}), and beside each entry
 * that announced a change its outcome once known ({@link RedisSchema#auditOutcome}). Every entry
 * is also written as one JSON line on the {@code audit} logger, for a log shipper.
 *
 * <p>The only writer of the trail, used only by {@link Changes}.
 */
public final class AuditStore {

    /** The logger a log shipper takes the trail from: one JSON object per line. */
    public static final String LOGGER = "audit";

    private static final Logger auditLog = LoggerFactory.getLogger(LOGGER);

    /**
     * Appends one entry unless this nonce already did (its reply lost, the append retried): then
     * the entry it made is answered again. The nonce is kept a minute, longer than any retry.
     */
    static final RedisScript<String> APPEND = RedisScript.of("""
            local prior = redis.call('GET', KEYS[2])
            if prior then return prior end
            local id = redis.call('XADD', KEYS[1], 'MINID', '~', ARGV[1], '*', unpack(ARGV, 3))
            redis.call('SET', KEYS[2], id, 'PX', ARGV[2])
            return id
            """, String.class);

    private static final String NONCE_MILLIS = "60000";
    private static final int BATCH = 200;
    /** Entries one query looks at, at most, before it answers with what it found and a cursor. */
    static final int MAX_SCANNED = 10_000;

    private static final Pattern ENTRY_ID = Pattern.compile("[0-9]{1,20}-[0-9]{1,20}");

    private final ReactiveStringRedisTemplate redis;
    private final Duration retention;
    private final SecureRandom random;

    AuditStore(ReactiveStringRedisTemplate redis, Duration retention, SecureRandom random) {
        this.redis = redis;
        this.retention = retention;
        this.random = random;
    }

    /** Appends the entry; its stream id. Retried (idempotent through a fresh nonce). */
    Mono<String> append(AuditEntry entry) {
        String nonce = ai.powerpost.gateway.auth.ApiKeys.randomBase62(random, 22);
        long minId = Math.max(0, Instant.now().minus(retention).toEpochMilli());
        List<String> args = new ArrayList<>();
        args.add(minId + "-0");
        args.add(NONCE_MILLIS);
        entry.fields().forEach((name, value) -> {
            args.add(name);
            args.add(value);
        });
        return retried(Mono.defer(() ->
                RedisScripts.eval(redis, APPEND, List.of(RedisSchema.AUDIT, RedisSchema.auditNonce(nonce)), args)));
    }

    /** Records the outcome of the change the entry {@code id} announced. Idempotent, retried. */
    Mono<Void> complete(String id, String outcome, @Nullable String code) {
        String value = code == null ? outcome : outcome + " " + code;
        return retried(redis.opsForValue().set(RedisSchema.auditOutcome(id), value, retention))
                .then();
    }

    /** Writes the entry as one JSON line on the {@code audit} logger. */
    static void log(AuditEntry entry) {
        auditLog.info(entry.json());
    }

    public static boolean isEntryId(String id) {
        return ENTRY_ID.matcher(id).matches();
    }

    /** A query of the trail: each filter optional; {@code before} an entry id from an earlier page. */
    public record Query(
            @Nullable String account,
            @Nullable String actor,
            @Nullable String action,
            @Nullable Instant since,
            int limit,
            @Nullable String before) {}

    /** One page, newest first; {@code nextCursor} is where the next page starts, null at the end. */
    public record Page(List<AuditEntry> entries, @Nullable String nextCursor) {}

    /** The entries that match, newest first, each with its outcome as it stands. */
    public Mono<Page> query(Query query) {
        String upper = query.before() == null ? null : predecessor(query.before());
        return scan(query, upper, new ArrayList<>(), 0).flatMap(this::withOutcomes);
    }

    private Mono<Page> scan(Query query, @Nullable String upper, List<AuditEntry> found, int scanned) {
        if (upper != null && upper.isEmpty()) {
            return Mono.just(new Page(found, null)); // before the very first id: nothing older
        }
        Range.Bound<String> lower = query.since() == null
                ? Range.Bound.unbounded()
                : Range.Bound.inclusive(query.since().toEpochMilli() + "-0");
        Range.Bound<String> high = upper == null ? Range.Bound.unbounded() : Range.Bound.inclusive(upper);
        return redis.<String, String>opsForStream()
                .reverseRange(
                        RedisSchema.AUDIT, Range.of(lower, high), Limit.limit().count(BATCH))
                .collectList()
                .flatMap(records -> {
                    String last = null;
                    for (MapRecord<String, String, String> record : records) {
                        last = record.getId().getValue();
                        AuditEntry entry = AuditEntry.fromFields(last, record.getValue());
                        if (matches(query, entry)) {
                            found.add(entry);
                            if (found.size() == query.limit()) {
                                return Mono.just(new Page(found, last));
                            }
                        }
                    }
                    int seen = scanned + records.size();
                    if (records.size() < BATCH || last == null) {
                        return Mono.just(new Page(found, null));
                    }
                    if (seen >= MAX_SCANNED) {
                        return Mono.just(new Page(found, last)); // a long search goes on from here
                    }
                    return scan(query, predecessor(last), found, seen);
                });
    }

    private static boolean matches(Query query, AuditEntry entry) {
        return (query.account() == null || query.account().equals(entry.target().account()))
                && (query.actor() == null || query.actor().equals(entry.actor().id()))
                && (query.action() == null || query.action().equals(entry.action()));
    }

    /** Each announced change's outcome, read in one call (the outcomes share the stream's slot). */
    private Mono<Page> withOutcomes(Page page) {
        List<String> names = new ArrayList<>();
        for (AuditEntry entry : page.entries()) {
            names.add(RedisSchema.auditOutcome(entry.id()));
        }
        if (names.isEmpty()) {
            return Mono.just(page);
        }
        return redis.opsForValue().multiGet(names).map(outcomes -> {
            List<AuditEntry> entries = new ArrayList<>(page.entries().size());
            for (int i = 0; i < page.entries().size(); i++) {
                AuditEntry entry = page.entries().get(i);
                String outcome = i < outcomes.size() ? outcomes.get(i) : null;
                if (outcome != null && AuditEntry.ATTEMPTED.equals(entry.outcome())) {
                    int space = outcome.indexOf(' ');
                    entry = space < 0
                            ? entry.withOutcome(outcome, null)
                            : entry.withOutcome(outcome.substring(0, space), outcome.substring(space + 1));
                }
                entries.add(entry);
            }
            return new Page(entries, page.nextCursor());
        });
    }

    /** The id just before {@code id} in a stream's order; empty before {@code 0-0}. */
    static String predecessor(String id) {
        int dash = id.indexOf('-');
        long millis = Long.parseUnsignedLong(id.substring(0, dash));
        long seq = Long.parseUnsignedLong(id.substring(dash + 1));
        if (seq != 0) {
            return millis + "-" + Long.toUnsignedString(seq - 1);
        }
        return millis == 0 ? "" : (millis - 1) + "-" + Long.toUnsignedString(-1L);
    }
}
