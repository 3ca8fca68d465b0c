package ai.powerpost.gateway.ratelimit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The counts holding admissions that Redis has not seen yet, per shard, in two queues: those the
 * next sync pushes, and the quiet ones (a count far from its limit: under {@link #QUIET_SHARE} of
 * it, this replica's admissions and the others' it knows of together), which only the quiet sync
 * pushes, every {@code gateway.rate-limit.quiet-sync-interval}. A count is in each queue at most
 * once at a time (its mark decides), so the queues never hold more than the live counts, however
 * many requests there are.
 */
final class PendingSync {

    /**
     * Below this share of its limit a count is quiet. The other replicas learn of it late (at the
     * quiet sync rather than the next one), which can only matter once the key is near its limit,
     * and then its count is no longer quiet: each replica pushes at once from a tenth of the limit
     * on, so the shared total a key can overshoot by through quiet counts is under a tenth of the
     * limit per replica (docs/rate-limiting.md).
     */
    static final int QUIET_SHARE_PERCENT = 10;

    /** See {@link #QUIET_SHARE_PERCENT}. */
    static final double QUIET_SHARE = QUIET_SHARE_PERCENT / 100.0;

    private final List<ConcurrentLinkedQueue<WindowCount>> queues;
    private final List<ConcurrentLinkedQueue<WindowCount>> quiet;

    PendingSync(int shards) {
        this.queues = queues(shards);
        this.quiet = queues(shards);
    }

    private static List<ConcurrentLinkedQueue<WindowCount>> queues(int shards) {
        List<ConcurrentLinkedQueue<WindowCount>> list = new ArrayList<>(shards);
        for (int i = 0; i < shards; i++) {
            list.add(new ConcurrentLinkedQueue<>());
        }
        return List.copyOf(list);
    }

    /** Whether a count whose window has {@code used} of {@code limit} admitted (as this replica knows) is quiet. */
    static boolean quiet(long used, long limit) {
        return used * 100 < limit * QUIET_SHARE_PERCENT;
    }

    /** For the next sync. */
    void offer(WindowCount count) {
        queues.get(count.shard()).offer(count);
    }

    /** For the quiet sync. */
    void offerQuiet(WindowCount count) {
        quiet.get(count.shard()).offer(count);
    }

    /** Everything queued for {@code shard}'s next sync now; what is queued meanwhile waits for the next drain. */
    List<WindowCount> drain(int shard) {
        return drain(queues.get(shard));
    }

    /** Everything quiet of {@code shard} still waiting (a count a sync pushed meanwhile is left out). */
    List<WindowCount> drainQuiet(int shard) {
        List<WindowCount> drained = drain(quiet.get(shard));
        drained.removeIf(count -> !count.queued());
        return drained;
    }

    private static List<WindowCount> drain(ConcurrentLinkedQueue<WindowCount> queue) {
        List<WindowCount> drained = new ArrayList<>();
        WindowCount count;
        while ((count = queue.poll()) != null) {
            drained.add(count);
        }
        return drained;
    }

    int shards() {
        return queues.size();
    }

    /** Counts waiting for the next sync. */
    int size() {
        return size(queues);
    }

    /** Counts waiting for the quiet sync. */
    int quietSize() {
        return size(quiet);
    }

    private static int size(List<ConcurrentLinkedQueue<WindowCount>> queues) {
        int size = 0;
        for (ConcurrentLinkedQueue<WindowCount> queue : queues) {
            size += queue.size();
        }
        return size;
    }
}
