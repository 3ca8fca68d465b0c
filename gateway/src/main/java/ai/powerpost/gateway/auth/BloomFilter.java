package ai.powerpost.gateway.auth;

import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A fixed-size Bloom filter of key hashes (SHA-256, 64 lower-case hex characters). The hashes are
 * already uniform, so the filter's k positions come from their first 128 bits by double hashing
 * ({@code h1 + i·h2}); no further hashing. Thread-safe and lock-free: bits are set with
 * compare-and-set, so concurrent adds and reads never lose a bit (no false negative, ever).
 *
 * <p>Sized for a false-positive rate of 0.5 % at {@link #capacity()} (about 11 bits and 8 probes
 * per entry), so the rate stays under 1 % with room to spare; past the capacity it rises, and the
 * owner rebuilds it larger ({@link #full()}).
 */
final class BloomFilter {

    /** The rate the filter is sized for at capacity. */
    static final double DESIGN_RATE = 0.005;

    private final int capacity;
    private final long bits;
    private final int probes;
    private final AtomicLongArray words;
    private final AtomicInteger added = new AtomicInteger();

    BloomFilter(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, but was " + capacity);
        }
        this.capacity = capacity;
        double ln2 = Math.log(2);
        long m = (long) Math.ceil(-capacity * Math.log(DESIGN_RATE) / (ln2 * ln2));
        this.bits = Math.max(64, (m + 63) / 64 * 64);
        this.probes = Math.max(1, (int) Math.round((double) bits / capacity * ln2));
        this.words = new AtomicLongArray(Math.toIntExact(bits / 64));
    }

    /** Whether {@code hash} is a key hash this filter can hold: 64 hex characters. */
    static boolean isKeyHash(String hash) {
        if (hash.length() != 64) {
            return false;
        }
        for (int i = 0; i < hash.length(); i++) {
            if (Character.digit(hash.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    void add(String hash) {
        long h1 = HexFormat.fromHexDigitsToLong(hash, 0, 16);
        long h2 = HexFormat.fromHexDigitsToLong(hash, 16, 32) | 1; // odd: the probes never coincide
        for (int i = 0; i < probes; i++) {
            long bit = Math.floorMod(h1 + i * h2, bits);
            int word = (int) (bit >>> 6);
            long mask = 1L << (bit & 63);
            long current;
            do {
                current = words.get(word);
            } while ((current & mask) == 0 && !words.compareAndSet(word, current, current | mask));
        }
        added.incrementAndGet();
    }

    boolean mightContain(String hash) {
        long h1 = HexFormat.fromHexDigitsToLong(hash, 0, 16);
        long h2 = HexFormat.fromHexDigitsToLong(hash, 16, 32) | 1;
        for (int i = 0; i < probes; i++) {
            long bit = Math.floorMod(h1 + i * h2, bits);
            if ((words.get((int) (bit >>> 6)) & (1L << (bit & 63))) == 0) {
                return false;
            }
        }
        return true;
    }

    int capacity() {
        return capacity;
    }

    /** Entries added (repeats counted: an upper bound of the distinct entries). */
    int added() {
        return added.get();
    }

    /** Past capacity: its false-positive rate is above what it was sized for. */
    boolean full() {
        return added.get() > capacity;
    }

    long bits() {
        return bits;
    }

    int probes() {
        return probes;
    }
}
