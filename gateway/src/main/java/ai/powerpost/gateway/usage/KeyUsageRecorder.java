package ai.powerpost.gateway.usage;

import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.redis.PeriodicFlush;
import ai.powerpost.gateway.redis.RedisScripts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Counts each key's requests per route and hour, answers per status class and client networks,
 * off the request path, and evaluates the rules of unexpected activity ({@link UsageRules}) when it
 * writes them.
 *
 * <p>A request only adds to in-memory counters of its key (a few map look-ups and atomic adds;
 * no allocation once its key, route and client address were seen in the flush interval). Every
 * {@code counts-flush-interval} (a minute by default) the counters are swapped out and written in
 * batches: one script call per group of keys ({@link BatchGroups}: per shard against one Redis, per
 * cluster slot against a cluster), each call writing every key and hour of its group
 * ({@link UsageScripts#RECORD}: one entry per key, two when a flush spans the turn of an hour),
 * whatever the number of requests and keys; the script answers what the rules need from what
 * Redis held, so the rules cost no further command (the roll successor of a key comes from the
 * last-used flush, which reads the key's record anyway). At most {@code max-keys} keys are counted
 * between two flushes; further keys' requests are dropped and counted
 * ({@code gateway.usage.counts.dropped}). Fails open: a write Redis refuses is dropped and counted
 * ({@code gateway.usage.counts.failures}, per key and hour), never retried (a count written twice
 * would be wrong; a lost one only under-counts).
 */
public final class KeyUsageRecorder implements SmartLifecycle {

    private static final int FLUSH_CONCURRENCY = 16;
    private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(10);
    private static final long HOUR = UsageRules.HOUR;
    private static final long DAY = UsageRules.DAY;
    /** Keys and hours per script call at most: a call stays short for Redis (about ten commands each). */
    static final int MAX_BATCH = 200;

    static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

    private final ReactiveStringRedisTemplate redis;
    private final UsageProperties properties;
    private final UsageRules rules;
    private final UsageStore store;
    private final LastUsedRecorder lastUsed;
    private final Clock clock;
    private final BatchGroups groups;
    private final Counter dropped;
    private final Counter droppedNetworks;
    private final Counter failures;
    private final Counter writes;
    private final PeriodicFlush schedule;
    /** What requests add to now; swapped whole by a flush (atomically: two flushes never write one batch). */
    private final AtomicReference<Batch> pending = new AtomicReference<>(new Batch());

    private final Map<String, Successor> successors = new ConcurrentHashMap<>();
    /** Key id → the hour of the last spike this replica found for it (bounded like the counts). */
    private final Map<String, Long> spikes = new ConcurrentHashMap<>();

    public KeyUsageRecorder(
            ReactiveStringRedisTemplate redis,
            UsageProperties properties,
            UsageStore store,
            LastUsedRecorder lastUsed,
            MeterRegistry meters,
            Clock clock) {
        this.redis = redis;
        this.properties = properties;
        this.rules = new UsageRules(properties);
        this.store = store;
        this.lastUsed = lastUsed;
        this.clock = clock;
        this.groups = BatchGroups.of(redis);
        this.schedule = new PeriodicFlush("usage flush", properties.countsFlushInterval(), FLUSH_TIMEOUT, this::flush);
        this.dropped = Counter.builder("gateway.usage.counts.dropped")
                .description("Requests not counted per key because max-keys keys were counted already")
                .register(meters);
        this.droppedNetworks = Counter.builder("gateway.usage.counts.networks.dropped")
                .description("Requests counted per key but not per network: max-networks-per-key reached")
                .register(meters);
        this.failures = Counter.builder("gateway.usage.counts.failures")
                .description("Usage writes Redis refused (their counts are lost, never written twice)")
                .register(meters);
        this.writes = Counter.builder("gateway.usage.counts.writes")
                .description(
                        "Usage writes to Redis (keys and hours; one per key and hour per flush, batched per shard)")
                .register(meters);
        Gauge.builder("gateway.usage.counts.keys", this, recorder -> recorder.trackedKeys())
                .description("Keys whose usage counts wait for the next flush")
                .register(meters);
    }

    /**
     * Counts one answered request of {@code key} on {@code routeId}; never blocks, no I/O.
     *
     * @param status        the HTTP status answered
     * @param clientAddress the client's address (already resolved through trusted proxies)
     */
    public void record(KeyRecord key, String routeId, int status, String clientAddress, long epochMillis) {
        while (true) {
            Batch batch = pending.get();
            batch.writers.increment();
            try {
                if (batch != pending.get()) {
                    continue; // swapped meanwhile: count in the new one
                }
                KeyCounts counts = batch.keys.get(key.id());
                if (counts == null) {
                    if (batch.keys.size() >= properties.maxKeys()) {
                        dropped.increment();
                        return;
                    }
                    counts = batch.keys.computeIfAbsent(key.id(), id -> new KeyCounts(key));
                }
                counts.hour(Math.floorDiv(epochMillis, HOUR))
                        .add(
                                routeId,
                                status,
                                clientAddress,
                                epochMillis,
                                properties.maxNetworksPerKey(),
                                droppedNetworks);
                return;
            } finally {
                batch.writers.decrement();
            }
        }
    }

    /** Writes everything counted so far, evaluates the rules on it, stores what they find. */
    public Mono<Void> flush() {
        if (pending.get().keys.isEmpty()) {
            return Mono.empty();
        }
        Batch batch = pending.getAndSet(new Batch());
        // Requests that took the old batch before the swap finish their few adds first (they hold no
        // lock, and new requests go to the new batch); waited for by timer, never by spinning.
        return settled(batch, System.nanoTime() + 100_000_000L).then(Mono.defer(() -> writeBatch(batch)));
    }

    private static Mono<Void> settled(Batch batch, long untilNanos) {
        return Mono.defer(() -> batch.writers.sum() == 0 || System.nanoTime() >= untilNanos
                ? Mono.<Void>empty()
                : Mono.delay(Duration.ofMillis(1)).then(settled(batch, untilNanos)));
    }

    private Mono<Void> writeBatch(Batch batch) {
        long now = clock.millis();
        Map<Integer, List<Entry>> byGroup = new HashMap<>();
        for (KeyCounts counts : batch.keys.values()) {
            int group = groups.of(UsageKeys.meta(counts.keyId));
            for (HourCounts hour : counts.hours) {
                byGroup.computeIfAbsent(group, g -> new ArrayList<>()).add(new Entry(counts, hour));
            }
        }
        List<List<Entry>> calls = new ArrayList<>();
        for (List<Entry> group : byGroup.values()) {
            for (int i = 0; i < group.size(); i += MAX_BATCH) {
                calls.add(group.subList(i, Math.min(group.size(), i + MAX_BATCH)));
            }
        }
        return Flux.fromIterable(calls)
                .flatMap(
                        call -> write(call, now).onErrorResume(e -> {
                            failures.increment(call.size());
                            return Mono.empty();
                        }),
                        FLUSH_CONCURRENCY)
                .then();
    }

    /** One key and hour of a flush, and the networks in the order its arguments name them. */
    private static final class Entry {
        final KeyCounts key;
        final HourCounts hour;

        @Nullable
        List<Map.Entry<String, NetworkCounts>> networks;

        Entry(KeyCounts key, HourCounts hour) {
            this.key = key;
            this.hour = hour;
        }
    }

    /** One script call for the entries of one group; then the rules, entry by entry. */
    private Mono<Void> write(List<Entry> call, long now) {
        List<String> keys = new ArrayList<>(call.size() * UsageScripts.RECORD_KEYS);
        List<String> args = new ArrayList<>(call.size() * 24);
        for (Entry entry : call) {
            arguments(entry, now, keys, args);
        }
        return RedisScripts.eval(redis, UsageScripts.RECORD, keys, args)
                .timeout(FLUSH_TIMEOUT)
                .flatMapMany(reply -> {
                    String[] replies = reply.split("\\|", -1);
                    if (replies.length != call.size()) {
                        return Flux.error(new IllegalStateException(
                                "usage script answered " + replies.length + " entries for " + call.size()));
                    }
                    int refused = 0;
                    for (String entry : replies) {
                        if (entry.equals("!")) {
                            refused++;
                        }
                    }
                    failures.increment(refused);
                    writes.increment(call.size() - refused);
                    return Flux.range(0, call.size())
                            .filter(i -> !replies[i].equals("!"))
                            .concatMap(
                                    i -> evaluate(call.get(i), replies[i], now).onErrorResume(e -> {
                                        failures.increment();
                                        return Mono.empty();
                                    }));
                })
                .then();
    }

    private void arguments(Entry entry, long now, List<String> keys, List<String> args) {
        KeyCounts key = entry.key;
        HourCounts hour = entry.hour;
        String keyId = key.keyId;
        long day = Math.floorDiv(hour.hour * HOUR, DAY);
        String dayName = UsageRules.day(hour.hour * HOUR);
        long retention = UsageKeys.RETENTION.toMillis();
        keys.add(UsageKeys.hour(keyId, UsageRules.hour(hour.hour * HOUR)));
        keys.add(UsageKeys.day(keyId, dayName));
        keys.add(UsageKeys.dayNetworks(keyId, dayName));
        keys.add(UsageKeys.hours(keyId));
        keys.add(UsageKeys.networkDays(keyId));
        keys.add(UsageKeys.networksSeen(keyId));
        keys.add(UsageKeys.meta(keyId));
        args.add(Long.toString(hour.hour));
        args.add(Long.toString(day));
        args.add(Long.toString((hour.hour + 1) * HOUR + retention));
        args.add(Long.toString((day + 1) * DAY + retention));
        args.add(Long.toString(now + retention));
        args.add(Long.toString(hour.first));
        // a spike this replica found in this hour already is not looked for again (the store would refuse it anyway)
        Long spikeHour = spikes.get(keyId);
        args.add(Long.toString(spikeHour != null && spikeHour == hour.hour ? 0 : rules.spikeMinimum()));
        args.add(Long.toString(retention / HOUR));
        args.add(Long.toString(retention / DAY));
        args.add(Long.toString(now - retention));
        args.add("");
        int routesAt = args.size();
        hour.forEachRoute((route, count) -> {
            args.add(route);
            args.add(Long.toString(count.sum()));
        });
        args.set(routesAt - 1, Integer.toString((args.size() - routesAt) / 2));
        int classesAt = args.size();
        args.add("");
        for (int i = 0; i < STATUS_CLASSES.length; i++) {
            long answers = hour.statusClasses.get(i);
            if (answers > 0) {
                args.add(STATUS_CLASSES[i]);
                args.add(Long.toString(answers));
            }
        }
        args.set(classesAt, Integer.toString((args.size() - classesAt - 1) / 2));
        List<Map.Entry<String, NetworkCounts>> networks = hour.networks();
        entry.networks = networks;
        args.add(Integer.toString(networks.size()));
        for (Map.Entry<String, NetworkCounts> network : networks) {
            args.add(network.getKey());
            args.add(Long.toString(network.getValue().requests.sum()));
            args.add(Long.toString(network.getValue().first));
            args.add(Long.toString(network.getValue().last));
        }
    }

    /** The rules on one entry's reply; what they find is stored. */
    private Mono<Void> evaluate(Entry entry, String replyText, long now) {
        KeyCounts key = entry.key;
        HourCounts hour = entry.hour;
        String keyId = key.keyId;
        List<Map.Entry<String, NetworkCounts>> networks = entry.networks == null ? List.of() : entry.networks;
        Reply reply = Reply.parse(replyText, networks.size());
        return successor(key, now).flatMap(successor -> {
            List<UsageRules.NetworkSeen> seen = new ArrayList<>(networks.size());
            for (int i = 0; i < networks.size(); i++) {
                seen.add(new UsageRules.NetworkSeen(
                        networks.get(i).getKey(), networks.get(i).getValue().first, reply.lastSeen[i]));
            }
            List<UsageRules.Candidate> found = rules.evaluate(new UsageRules.Observation(
                    keyId,
                    key.accountId,
                    hour.hour,
                    reply.hourTotal,
                    reply.firstUse,
                    hour.last,
                    seen,
                    reply.dayNetworks,
                    reply.previousMax,
                    reply.previousDays,
                    reply.previousHours,
                    successor.successorId,
                    successor.firstUse));
            for (UsageRules.Candidate candidate : found) {
                if (candidate.rule().equals(UsageRules.HOURLY_SPIKE)) {
                    if (spikes.size() >= properties.maxKeys()) {
                        spikes.clear();
                    }
                    spikes.put(keyId, hour.hour);
                }
            }
            return Flux.fromIterable(found)
                    .concatMap(candidate -> store.append(keyId, key.accountId, candidate))
                    .then();
        });
    }

    /**
     * The key's roll successor (as the last-used flush, which reads the key's record anyway, last
     * found it) and that successor's first use: read from Redis only for a rolled key, cached
     * for {@code successor-cache-ttl} until the successor was used (then for good). Bounded like the
     * counted keys: cleared when it holds more than {@code max-keys} entries.
     */
    private Mono<Successor> successor(KeyCounts key, long now) {
        String successorId = lastUsed.successorOf(key.keyHash);
        if (successorId == null) {
            return Mono.just(NO_SUCCESSOR);
        }
        Successor cached = successors.get(successorId);
        if (cached != null
                && (cached.firstUse > 0
                        || cached.readAt > now - properties.successorCacheTtl().toMillis())) {
            return Mono.just(cached);
        }
        return RedisScripts.eval(redis, UsageScripts.FIRST_USE, List.of(UsageKeys.meta(successorId)), List.of())
                .map(first -> new Successor(successorId, first.isEmpty() ? 0 : Long.parseLong(first), now))
                .timeout(FLUSH_TIMEOUT)
                .doOnNext(found -> {
                    if (successors.size() >= properties.maxKeys()) {
                        successors.clear();
                    }
                    successors.put(successorId, found);
                })
                // fail open: the successor's first use is read again at the next flush
                .onErrorResume(e -> Mono.just(NO_SUCCESSOR));
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

    /** Keys counted since the last flush: at most {@code max-keys}. */
    public int trackedKeys() {
        return pending.get().keys.size();
    }

    /** Requests not counted because {@code max-keys} keys were counted already, since start. */
    public long droppedRequests() {
        return (long) dropped.count();
    }

    private record Successor(@Nullable String successorId, long firstUse, long readAt) {}

    private static final Successor NO_SUCCESSOR = new Successor(null, 0, 0);

    /** One flush's counts: swapped out whole. */
    private static final class Batch {
        final ConcurrentHashMap<String, KeyCounts> keys = new ConcurrentHashMap<>();
        /** Requests adding to this batch right now. */
        final LongAdder writers = new LongAdder();
    }

    /** One key's counts of one flush, per hour (one, two when the flush spans the turn of an hour). */
    private static final class KeyCounts {
        final String keyId;
        final String keyHash;
        final String accountId;
        final List<HourCounts> hours = new CopyOnWriteArrayList<>();
        volatile @Nullable HourCounts latest;

        KeyCounts(KeyRecord key) {
            this.keyId = key.id();
            this.keyHash = key.keyHash();
            this.accountId = key.accountId();
        }

        HourCounts hour(long hour) {
            HourCounts current = latest;
            if (current != null && current.hour == hour) {
                return current;
            }
            synchronized (this) {
                for (HourCounts counts : hours) {
                    if (counts.hour == hour) {
                        return counts;
                    }
                }
                HourCounts created = new HourCounts(hour);
                hours.add(created);
                if (current == null || hour > current.hour) {
                    latest = created;
                }
                return created;
            }
        }
    }

    /**
     * One key's counts of one hour. Compact for the common case, one route and one client network:
     * the first route and the first network (with the first address seen from it) are fields;
     * further routes, networks and addresses go to maps made only when a second one appears.
     */
    private static final class HourCounts {
        private static final VarHandle FIRST;
        private static final VarHandle LAST;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                FIRST = lookup.findVarHandle(HourCounts.class, "first", long.class);
                LAST = lookup.findVarHandle(HourCounts.class, "last", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final long hour;
        final AtomicLongArray statusClasses = new AtomicLongArray(STATUS_CLASSES.length);
        volatile long first = Long.MAX_VALUE;
        volatile long last;
        /** The first route counted, and its requests. */
        private volatile @Nullable String route;

        private final LongAdder routeRequests = new LongAdder();
        private volatile @Nullable ConcurrentHashMap<String, LongAdder> moreRoutes;
        /** The first network counted (set before {@link #address}), its text, and the first address seen from it. */
        private volatile @Nullable NetworkCounts network;

        private volatile @Nullable String cidr;
        private volatile @Nullable String address;
        /** Further networks by their text; further addresses to their network. */
        private volatile @Nullable ConcurrentHashMap<String, NetworkCounts> moreNetworks;

        private volatile @Nullable ConcurrentHashMap<String, NetworkCounts> moreAddresses;

        HourCounts(long hour) {
            this.hour = hour;
        }

        void add(String routeId, int status, String clientAddress, long at, int maxNetworks, Counter droppedNetworks) {
            requestsOf(routeId).increment();
            int statusClass = status / 100 - 1;
            if (statusClass >= 0 && statusClass < STATUS_CLASSES.length) {
                statusClasses.incrementAndGet(statusClass);
            }
            min(FIRST, this, at);
            max(LAST, this, at);
            NetworkCounts counts = networkOf(clientAddress, maxNetworks, droppedNetworks);
            if (counts != null) {
                counts.add(at);
            }
        }

        private LongAdder requestsOf(String routeId) {
            if (routeId.equals(route)) {
                return routeRequests;
            }
            ConcurrentHashMap<String, LongAdder> more = moreRoutes;
            LongAdder requests = more == null ? null : more.get(routeId);
            if (requests != null) {
                return requests;
            }
            synchronized (this) {
                if (route == null) {
                    route = routeId;
                    return routeRequests;
                }
                if (routeId.equals(route)) {
                    return routeRequests;
                }
                ConcurrentHashMap<String, LongAdder> routes = moreRoutes;
                if (routes == null) {
                    routes = new ConcurrentHashMap<>(4);
                    moreRoutes = routes;
                }
                return routes.computeIfAbsent(routeId, r -> new LongAdder());
            }
        }

        /** The network of the address; null when max-networks networks are counted already (the drop is counted). */
        private @Nullable NetworkCounts networkOf(String clientAddress, int maxNetworks, Counter droppedNetworks) {
            if (clientAddress.equals(address)) {
                return network;
            }
            ConcurrentHashMap<String, NetworkCounts> addresses = moreAddresses;
            NetworkCounts known = addresses == null ? null : addresses.get(clientAddress);
            if (known != null) {
                return known;
            }
            // an address not seen yet this flush: its network's text is worked out once
            String text = Networks.of(clientAddress);
            synchronized (this) {
                NetworkCounts firstNetwork = network;
                if (firstNetwork == null) {
                    firstNetwork = new NetworkCounts();
                    network = firstNetwork;
                    cidr = text;
                    address = clientAddress;
                    return firstNetwork;
                }
                ConcurrentHashMap<String, NetworkCounts> networks = moreNetworks;
                NetworkCounts counts = text.equals(cidr) ? firstNetwork : networks == null ? null : networks.get(text);
                if (counts == null) {
                    if (1 + (networks == null ? 0 : networks.size()) >= maxNetworks) {
                        droppedNetworks.increment();
                        return null;
                    }
                    if (networks == null) {
                        networks = new ConcurrentHashMap<>(4);
                        moreNetworks = networks;
                    }
                    counts = new NetworkCounts();
                    networks.put(text, counts);
                }
                if (addresses == null) {
                    addresses = moreAddresses;
                }
                if (addresses == null) {
                    addresses = new ConcurrentHashMap<>(4);
                    moreAddresses = addresses;
                }
                if (addresses.size() < maxNetworks) {
                    addresses.putIfAbsent(clientAddress, counts);
                }
                return counts;
            }
        }

        void forEachRoute(BiConsumer<String, LongAdder> each) {
            String firstRoute = route;
            if (firstRoute != null) {
                each.accept(firstRoute, routeRequests);
            }
            ConcurrentHashMap<String, LongAdder> more = moreRoutes;
            if (more != null) {
                more.forEach(each);
            }
        }

        /** The networks counted, the first one first. */
        List<Map.Entry<String, NetworkCounts>> networks() {
            List<Map.Entry<String, NetworkCounts>> all = new ArrayList<>(1);
            NetworkCounts counts = network;
            String text = cidr;
            if (counts != null && text != null) {
                all.add(Map.entry(text, counts));
            }
            ConcurrentHashMap<String, NetworkCounts> more = moreNetworks;
            if (more != null) {
                all.addAll(more.entrySet());
            }
            return all;
        }
    }

    private static final class NetworkCounts {
        private static final VarHandle FIRST;
        private static final VarHandle LAST;

        static {
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                FIRST = lookup.findVarHandle(NetworkCounts.class, "first", long.class);
                LAST = lookup.findVarHandle(NetworkCounts.class, "last", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final LongAdder requests = new LongAdder();
        volatile long first = Long.MAX_VALUE;
        volatile long last;

        void add(long at) {
            requests.increment();
            min(FIRST, this, at);
            max(LAST, this, at);
        }
    }

    /** Lowers a volatile long field to {@code value} if it is higher (no write when it is not). */
    private static void min(VarHandle field, Object owner, long value) {
        long current = (long) field.getVolatile(owner);
        while (value < current && !field.compareAndSet(owner, current, value)) {
            current = (long) field.getVolatile(owner);
        }
    }

    /** Raises a volatile long field to {@code value} if it is lower (no write when it is not). */
    private static void max(VarHandle field, Object owner, long value) {
        long current = (long) field.getVolatile(owner);
        while (value > current && !field.compareAndSet(owner, current, value)) {
            current = (long) field.getVolatile(owner);
        }
    }

    /** The record script's answer. */
    private record Reply(
            long hourTotal,
            long firstUse,
            long dayNetworks,
            long previousMax,
            long previousDays,
            long[] lastSeen,
            long @Nullable [] previousHours) {

        static Reply parse(String reply, int networks) {
            String[] lines = reply.split("\n", -1);
            String[] head = lines[0].split(" ");
            long[] lastSeen = new long[networks];
            if (networks > 0) {
                String[] seen = lines[1].split(" ");
                for (int i = 0; i < networks; i++) {
                    lastSeen[i] = Long.parseLong(seen[i]);
                }
            }
            long[] history = null;
            if (lines.length > 2 && !lines[2].isEmpty()) {
                String[] hours = lines[2].split(" ");
                history = new long[hours.length];
                for (int i = 0; i < hours.length; i++) {
                    history[i] = Long.parseLong(hours[i]);
                }
            }
            return new Reply(
                    Long.parseLong(head[0]),
                    Long.parseLong(head[1]),
                    Long.parseLong(head[2]),
                    Long.parseLong(head[3]),
                    Long.parseLong(head[4]),
                    lastSeen,
                    history);
        }
    }
}
