package ai.powerpost.gateway.ratelimit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The counts holding admissions that Redis has not seen yet, one queue per shard. A count is in
 * its queue at most once at a time (its dirty mark decides), so the queues never hold more than
 * the live counts, however many requests there are.
 */
final class PendingSync {

    private final List<ConcurrentLinkedQueue<WindowCount>> queues;

    PendingSync(int shards) {
        List<ConcurrentLinkedQueue<WindowCount>> list = new ArrayList<>(shards);
        for (int i = 0; i < shards; i++) {
            list.add(new ConcurrentLinkedQueue<>());
        }
        this.queues = List.copyOf(list);
    }

    void offer(WindowCount count) {
        queues.get(count.shard()).offer(count);
    }

    /** Everything queued for {@code shard} now; what is queued meanwhile waits for the next drain. */
    List<WindowCount> drain(int shard) {
        ConcurrentLinkedQueue<WindowCount> queue = queues.get(shard);
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

    int size() {
        int size = 0;
        for (ConcurrentLinkedQueue<WindowCount> queue : queues) {
            size += queue.size();
        }
        return size;
    }
}
