package ai.powerpost.gateway.usage;

import ai.powerpost.gateway.auth.KeyRecords;
import ai.powerpost.gateway.auth.Scope;
import ai.powerpost.gateway.redis.PeriodicFlush;
import ai.powerpost.gateway.redis.RedisPrimaryChanged;
import ai.powerpost.gateway.redis.RedisSchema;
import ai.powerpost.gateway.redis.RedisScripts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Records when each key was last used, and with which scope, to the minute, off the request path.
 *
 * <p>Times are kept to the minute (the start of the minute, epoch ms), as Unkey keeps them: a key
 * used all day costs one write per minute at most, whatever its number of requests, and none at all
 * for a minute this replica already wrote. A request only compares two ints of its key's entry
 * (and, once per key, scope and minute, updates them under the entry's lock): the response never
 * waits for Redis. Every flush interval the entries with something new are written in batches,
 * one script call per group ({@link BatchGroups}: per shard against one Redis, per slot against a
 * cluster), not per key; the script keeps the newest time (several replicas write the same key; a
 * time never moves backwards), never re-creates a revoked key's record, and answers each key's
 * roll successor for usage per key. The entries are bounded ({@code max-pending}); uses of further
 * keys are dropped and counted; an entry is forgotten once unused for a minute more than the counts
 * flush interval (usage per key asks it for the key's roll successor). Fails open: a batch
 * Redis refuses stays pending and is written on the next interval, without ever delaying a request.
 * Stopping (SIGTERM, after the web server has drained) flushes what is pending.
 */
public final class LastUsedRecorder implements SmartLifecycle {

    private static final Scope[] SCOPES = Scope.values();
    private static final int FLUSH_CONCURRENCY = 16;
    private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(10);
    static final long MINUTE = 60_000L;
    /** Keys per script call at most: a call stays short for Redis (about two commands per key). */
    static final int MAX_BATCH = 500;

    static {
        if (SCOPES.length > Integer.SIZE) {
            throw new IllegalStateException("scopes no longer fit an int mask");
        }
    }

    /**
     * For each key of KEYS, in order: ARGV holds the number of fields, then the field, time pairs
     * (epoch ms, the start of a minute). Per key one {@code HMGET} (id, rolled_to and the fields),
     * and one {@code HSET} of the fields whose time is newer than the stored one, if any; a record
     * without {@code id} (some legacy records) costs one {@code EXISTS} more, to tell it from a
     * deleted one. A key whose record is gone is never written. Answers one line per key: {@code -}
     * when its record is gone, {@code !} when Redis refused its commands (e.g. the name holds no
     * hash: that key stays pending, the others of the call are written), else its roll successor
     * ({@code rolled_to}, empty when none).
     */
    static final RedisScript<String> TOUCH = RedisScript.of("""
            local function touch(key, a, n)
              local names = {'id', 'rolled_to'}
              for j = 1, n do names[j + 2] = ARGV[a + 2 * j - 1] end
              local cur = redis.call('HMGET', key, unpack(names))
              if not cur[1] and redis.call('EXISTS', key) == 0 then return '-' end
              local set = {}
              for j = 1, n do
                local t = ARGV[a + 2 * j]
                if tonumber(t) > (tonumber(cur[j + 2]) or 0) then
                  set[#set + 1] = names[j + 2]
                  set[#set + 1] = t
                end
              end
              if #set > 0 then redis.call('HSET', key, unpack(set)) end
              return cur[2] or ''
            end
            local out = {}
            local a = 1
            for k = 1, #KEYS do
              local n = tonumber(ARGV[a])
              local ok, reply = pcall(touch, KEYS[k], a, n)
              out[k] = ok and reply or '!'
              a = a + 1 + 2 * n
            end
            return table.concat(out, '\\n')
            """, String.class);

    private final ReactiveStringRedisTemplate redis;
    private final UsageProperties properties;
    private final BatchGroups groups;
    private final LongSupplier clock;
    private final Counter dropped;
    private final Counter flushFailures;
    private final Counter flushWrites;
    private final Counter flushCalls;
    /** Key hash → its entry; the hash string is the cached key's own (never copied). */
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    private final PeriodicFlush schedule;

    public LastUsedRecorder(ReactiveStringRedisTemplate redis, UsageProperties properties, MeterRegistry meters) {
        this(redis, properties, meters, BatchGroups.of(redis), System::currentTimeMillis);
    }

    LastUsedRecorder(
            ReactiveStringRedisTemplate redis,
            UsageProperties properties,
            MeterRegistry meters,
            BatchGroups groups,
            LongSupplier clock) {
        this.redis = redis;
        this.properties = properties;
        this.groups = groups;
        this.clock = clock;
        this.schedule = new PeriodicFlush("last-used flush", properties.flushInterval(), FLUSH_TIMEOUT, this::flush);
        this.dropped = Counter.builder("gateway.usage.dropped")
                .description("Key uses not recorded because the pending set was full")
                .register(meters);
        this.flushFailures = Counter.builder("gateway.usage.flush.failures")
                .description("Last-used writes (keys) that failed and were kept for the next flush")
                .register(meters);
        this.flushWrites = Counter.builder("gateway.usage.flush.writes")
                .description("Last-used writes to Redis (keys; at most one per key and minute)")
                .register(meters);
        this.flushCalls = Counter.builder("gateway.usage.flush.calls")
                .description("Last-used script calls to Redis (one per shard, or cluster slot, per flush)")
                .register(meters);
        Gauge.builder("gateway.usage.pending", this, recorder -> recorder.trackedKeys())
                .description("Keys whose last-used entry is held (waiting for a flush, or written in the last"
                        + " few minutes): what max-pending bounds")
                .register(meters);
    }

    /** Notes one authorised use of the key with {@code scope} at {@code epochMillis}. Never blocks. */
    public void record(String keyHash, Scope scope, long epochMillis) {
        int minute = (int) Math.floorDiv(epochMillis, MINUTE);
        int bit = 1 << scope.ordinal();
        while (true) {
            Entry entry = entries.get(keyHash);
            if (entry == null) {
                if (entries.size() >= properties.maxPending()) {
                    dropped.increment();
                    return;
                }
                entry = entries.computeIfAbsent(keyHash, hash -> new Entry());
            }
            if (entry.touch(bit, minute)) {
                return;
            }
            entries.remove(keyHash, entry); // forgotten meanwhile: note the use in a new entry
        }
    }

    /** Writes everything pending now, one script call per group; what fails stays pending for the next flush. */
    public Mono<Void> flush() {
        if (entries.isEmpty()) {
            return Mono.empty();
        }
        long now = clock.getAsLong();
        // an idle key's entry outlives the next counts flush, which asks it for the key's roll successor
        int forgetBefore = (int) Math.floorDiv(now, MINUTE)
                - 1
                - (int) ((properties.countsFlushInterval().toMillis() + MINUTE - 1) / MINUTE);
        long revisit = properties.successorCacheTtl().toMillis()
                + properties.flushInterval().toMillis();
        Map<Integer, List<Write>> byGroup = new HashMap<>();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Entry entry = e.getValue();
            Write write = entry.snapshot(e.getKey(), now, revisit);
            if (write != null) {
                byGroup.computeIfAbsent(groups.of(write.recordName), g -> new ArrayList<>())
                        .add(write);
            } else if (entry.forgettable(forgetBefore)) {
                entries.remove(e.getKey(), entry);
            }
        }
        List<List<Write>> calls = new ArrayList<>();
        for (List<Write> group : byGroup.values()) {
            for (int i = 0; i < group.size(); i += MAX_BATCH) {
                calls.add(group.subList(i, Math.min(group.size(), i + MAX_BATCH)));
            }
        }
        return Flux.fromIterable(calls)
                .flatMap(
                        call -> write(call, now).onErrorResume(e -> {
                            flushFailures.increment(call.size()); // left pending: written on the next interval
                            return Mono.empty();
                        }),
                        FLUSH_CONCURRENCY)
                .then();
    }

    private Mono<Void> write(List<Write> call, long now) {
        List<String> keys = new ArrayList<>(call.size());
        List<String> args = new ArrayList<>(call.size() * 5);
        for (Write write : call) {
            keys.add(write.recordName);
            write.arguments(args);
        }
        return RedisScripts.eval(redis, TOUCH, keys, args)
                .timeout(FLUSH_TIMEOUT)
                .doOnNext(reply -> {
                    flushCalls.increment();
                    String[] successors = reply.split("\n", -1);
                    if (successors.length != call.size()) {
                        throw new IllegalStateException(
                                "last-used script answered " + successors.length + " keys for " + call.size());
                    }
                    int refused = 0;
                    for (int i = 0; i < successors.length; i++) {
                        String successor = successors[i];
                        if (successor.equals("!")) {
                            refused++; // left pending: tried again on the next flush
                        } else {
                            call.get(i).written(successor.isEmpty() || successor.equals("-") ? null : successor, now);
                        }
                    }
                    flushFailures.increment(refused);
                    flushWrites.increment(call.size() - refused);
                })
                .then();
    }

    @Override
    public void start() {
        schedule.start();
    }

    @Override
    public void stop(Runnable callback) {
        schedule.stop(callback);
    }

    @Override
    public void stop() {
        stop(() -> {});
    }

    @Override
    public boolean isRunning() {
        return schedule.isRunning();
    }

    /** Stops after the web server has drained its requests, and before the Redis client closes. */
    @Override
    public int getPhase() {
        return PeriodicFlush.PHASE;
    }

    /**
     * A sentinel promoted another primary: what the old one acknowledged may not have reached the
     * new one, so every key's newest minute is written again on the next flush (newest wins keeps
     * it harmless where it had).
     */
    @EventListener
    public void primaryChanged(RedisPrimaryChanged event) {
        entries.values().forEach(Entry::forgetWritten);
    }

    /** The id of the key that succeeded this one in a roll, as its last flush found it; null for none (or not yet flushed). */
    @Nullable
    String successorOf(String keyHash) {
        Entry entry = entries.get(keyHash);
        return entry == null ? null : entry.successor;
    }

    /** Keys with a use not yet written. */
    int pendingKeys() {
        int pending = 0;
        for (Entry entry : entries.values()) {
            if (entry.pending()) {
                pending++;
            }
        }
        return pending;
    }

    /** Keys this replica holds an entry for (pending, or used within the last few minutes). */
    int trackedKeys() {
        return entries.size();
    }

    /**
     * One key's newest use, to the minute, per scope, and what this replica last wrote of it: six
     * ints, a time and a reference (about 48 bytes, plus the map's node; the key hash is the
     * cached key's own string). Requests read {@link #seen} without a lock; the rest is guarded by
     * the entry.
     */
    static final class Entry {
        /** The newest minute (since the epoch) the key was used in; none yet: the smallest int. */
        private int minute = Integer.MIN_VALUE;
        /** The scopes (a bit per ordinal) the key was used with in {@link #minute}. */
        private int mask;
        /** {@link #minute} and {@link #mask} in one word, for the request's check without a lock. */
        private volatile long seen = pack(Integer.MIN_VALUE, 0);
        /** Scopes used in an earlier minute and not written yet, and the newest such minute. */
        private int olderMask;

        private int olderMinute;
        /** The newest minute this replica wrote (or found newer in Redis), and the scopes it wrote in it. */
        private int writtenMinute = Integer.MIN_VALUE;

        private int writtenMask;
        /** When a flush last read the key's record (epoch ms); 0: never. */
        private long visitedAt;
        /** Whether the key was used since that read. */
        private volatile boolean usedSinceVisit;

        private volatile @Nullable String successor;
        private boolean forgotten;

        /** Notes a use; false when this entry was forgotten (the caller makes a new one). */
        boolean touch(int bit, int at) {
            long noted = seen;
            if ((int) (noted >> 32) == at && ((int) noted & bit) != 0) {
                if (!usedSinceVisit) {
                    usedSinceVisit = true;
                }
                return true; // this minute and scope are noted already: the common case, no write
            }
            synchronized (this) {
                if (forgotten) {
                    return false;
                }
                usedSinceVisit = true;
                if (at > minute) {
                    int unwritten = minute == writtenMinute ? mask & ~writtenMask : mask;
                    if (unwritten != 0) {
                        olderMask |= unwritten;
                        olderMinute = Math.max(olderMinute, minute);
                    }
                    minute = at;
                    mask = bit;
                } else if (at == minute) {
                    mask |= bit;
                } else if ((mask & bit) == 0 && !(at <= writtenMinute && (writtenMask & bit) != 0)) {
                    olderMask |= bit; // an older use of a scope not used in the newest minute
                    olderMinute = Math.max(olderMinute, at);
                }
                seen = pack(minute, mask);
                return true;
            }
        }

        private static long pack(int minute, int mask) {
            return ((long) minute << 32) | (mask & 0xFFFF_FFFFL);
        }

        synchronized boolean pending() {
            return minute > writtenMinute || (mask & ~writtenMask) != 0 || (olderMask & ~mask) != 0;
        }

        /** Whether the entry can be forgotten: nothing pending and unused since before {@code minuteBefore}. */
        synchronized boolean forgettable(int minuteBefore) {
            if (minute < minuteBefore && !pending()) {
                forgotten = true;
                return true;
            }
            return false;
        }

        /**
         * What a flush writes of this key now; null for nothing (its minute and scopes written
         * already, and its successor read within {@code revisitMillis} or the key unused since).
         */
        synchronized @Nullable Write snapshot(String keyHash, long now, long revisitMillis) {
            boolean last = minute > writtenMinute;
            int current = last ? mask : mask & ~writtenMask;
            int older = olderMask & ~mask;
            boolean revisit = usedSinceVisit && now - visitedAt >= revisitMillis;
            if (!last && current == 0 && older == 0 && !revisit) {
                return null;
            }
            return new Write(this, RedisSchema.keyRecord(keyHash), minute, last, current, olderMinute, older);
        }

        synchronized void forgetWritten() {
            writtenMinute = Integer.MIN_VALUE;
            writtenMask = 0;
        }

        /** A write Redis answered: what it wrote counts as written by this replica. */
        synchronized void written(Write write, @Nullable String successorId, long now) {
            if (write.minute > writtenMinute) {
                writtenMinute = write.minute;
                writtenMask = write.current;
            } else if (write.minute == writtenMinute) {
                writtenMask |= write.current;
            }
            if (olderMinute == write.olderMinute) {
                olderMask &= ~write.older;
            }
            successor = successorId;
            visitedAt = now;
            usedSinceVisit = false;
        }
    }

    /** One key's part of a flush: the fields and times to write, as the script takes them. */
    static final class Write {
        final Entry entry;
        final String recordName;
        final int minute;
        final boolean last;
        final int current;
        final int olderMinute;
        final int older;

        Write(Entry entry, String recordName, int minute, boolean last, int current, int olderMinute, int older) {
            this.entry = entry;
            this.recordName = recordName;
            this.minute = minute;
            this.last = last;
            this.current = current;
            this.olderMinute = olderMinute;
            this.older = older;
        }

        /** Adds the field count and the field, time pairs, named and written as the key record's codec does. */
        void arguments(List<String> args) {
            int countAt = args.size();
            args.add("");
            int fields = 0;
            if (last) {
                args.add(RedisSchema.LAST_USED_AT);
                args.add(KeyRecords.timestamp(minute * MINUTE));
                fields++;
            }
            String newest = KeyRecords.timestamp(minute * MINUTE);
            String earlier = KeyRecords.timestamp(olderMinute * MINUTE);
            for (int i = 0; i < SCOPES.length; i++) {
                int bit = 1 << i;
                if ((current & bit) != 0) {
                    args.add(KeyRecords.scopeUsedField(SCOPES[i]));
                    args.add(newest);
                    fields++;
                } else if ((older & bit) != 0) {
                    args.add(KeyRecords.scopeUsedField(SCOPES[i]));
                    args.add(earlier);
                    fields++;
                }
            }
            args.set(countAt, Integer.toString(fields));
        }

        void written(@Nullable String successorId, long now) {
            entry.written(this, successorId, now);
        }
    }
}
