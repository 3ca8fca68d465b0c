package ai.powerpost.gateway.ratelimit;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What this replica had admitted on counts that the local cache evicted for size while their
 * window was still running, for one rate-limit class, in fixed memory: a count-min sketch whose
 * cells keep the <em>largest</em> count recorded in them for the newest window. A key seen again
 * in the same window starts from {@link #estimate}, which is never below what it had admitted
 * (every cell of the key holds at least its count) and can only be above it when all its cells
 * are shared with busier evicted keys. So memory stays bounded whatever the number of keys, and
 * no key ever gets more than its limit from one replica; at worst an unlucky key is limited early.
 */
final class EvictedCounts {

    private static final int DEPTH = 4;
    private static final int WIDTH = 4096;
    private static final long[] SEEDS = {
        0x9E3779B97F4A7C15L, 0xC2B2AE3D27D4EB4FL, 0x165667B19E3779F9L, 0xD6E8FEB86659FD93L
    };

    private final AtomicReferenceArray<Cell> cells = new AtomicReferenceArray<>(DEPTH * WIDTH);

    private record Cell(long windowStart, long count) {}

    /** Notes that the count of {@code keyId} in the window starting at {@code windowStart} reached {@code count}. */
    void record(String keyId, long windowStart, long count) {
        for (int row = 0; row < DEPTH; row++) {
            int index = index(keyId, row);
            while (true) {
                Cell cell = cells.get(index);
                Cell updated;
                if (cell == null || cell.windowStart() < windowStart) {
                    updated = new Cell(windowStart, count);
                } else if (cell.windowStart() == windowStart && cell.count() < count) {
                    updated = new Cell(windowStart, count);
                } else {
                    break; // holds as much already, or a newer window (so this one has ended)
                }
                if (cells.compareAndSet(index, cell, updated)) {
                    break;
                }
            }
        }
    }

    /** At least what {@code keyId} had admitted in that window before its count was evicted; 0 if never evicted. */
    long estimate(String keyId, long windowStart) {
        long estimate = Long.MAX_VALUE;
        for (int row = 0; row < DEPTH; row++) {
            Cell cell = cells.get(index(keyId, row));
            long value = cell != null && cell.windowStart() == windowStart ? cell.count() : 0;
            estimate = Math.min(estimate, value);
        }
        return estimate;
    }

    private static int index(String keyId, int row) {
        long h = (keyId.hashCode() + 0x632BE59BD9B4E019L) * SEEDS[row];
        h ^= h >>> 29;
        return row * WIDTH + (int) ((h >>> 32) & (WIDTH - 1));
    }
}
