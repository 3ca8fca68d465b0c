package ai.powerpost.gateway.support;

import io.netty.buffer.ByteBufAllocator;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every JUnit Jupiter test of this module (by {@code junit-platform.properties} and
 * its service file): fails each test that left a {@link TestClients} response body unread ({@link
 * UnreadResponseBodies}, released then), and the test, or the test class, during which Netty
 * reported a leaked resource (a {@code ByteBuf} never released), with Netty's report, access
 * records included. The pom runs the test JVMs with {@link RecordingLeakDetector}
 * at {@code io.netty.leakDetection.level=paranoid}, so every buffer is tracked and each report
 * says where the buffer went; {@link TestClients} marks the buffers its clients receive with the
 * test code that sent the request.
 *
 * <p>Netty can only see a leak once the garbage collector has collected the buffer, and reports it
 * on a later allocation: a report may come during a later test than the one that leaked, even one
 * of a later class. So after each class that allocated any buffer, this extension forces a
 * collection and an allocation, and fails that class with whatever is reported then; a report
 * between those sweeps fails the test during which it came, and the report's records (not the
 * test's name) say which exchange leaked.
 *
 * <p>When the JVM does not use {@link RecordingLeakDetector} (a run outside Maven without the
 * pom's arguments), there is nothing to check and this extension does nothing.
 */
public final class NoBufferLeaksExtension implements AfterEachCallback, AfterAllCallback {

    /** Reports named in a failure in full; the rest are counted (each is also in the log). */
    private static final int SHOWN = 3;

    /** The detector's count of tracked resources at the last sweep. */
    private static long trackedAtLastSweep;

    @Override
    public void afterEach(ExtensionContext context) {
        failIfAny(unreadBodies(), reports("during this test (it may come from an earlier one: see the records)"));
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        AssertionError unread = unreadBodies(); // sent from @BeforeAll or @AfterAll code
        if (RecordingLeakDetector.installed() && RecordingLeakDetector.tracked() != trackedAtLastSweep) {
            sweep();
            trackedAtLastSweep = RecordingLeakDetector.tracked();
        }
        failIfAny(unread, reports("by the end of this class"));
    }

    /**
     * Collects garbage, waits (bounded) until the collected references were handed to their
     * queues, then allocates: Netty checks its queue of collected, unreleased buffers on
     * allocation (at the paranoid level, on every one; below it, on one in
     * {@code io.netty.leakDetection.samplingInterval}, hence several).
     */
    private static void sweep() throws InterruptedException {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
        System.gc();
        queue.remove(2_000);
        sentinel.clear();
        for (int i = 0; i < 1_024; i++) {
            ByteBufAllocator.DEFAULT.buffer(1).release();
        }
    }

    /** The unread bodies (released now) as a failure, or null. */
    private static AssertionError unreadBodies() {
        List<String> unread = UnreadResponseBodies.releaseUnread();
        if (unread.isEmpty()) {
            return null;
        }
        return new AssertionError(unread.size()
                + " response bod(ies) never read nor released (read it, or end the exchange with"
                + " .expectBody(Void.class) or .expectBody().isEmpty()):\n  "
                + String.join("\n  ", unread));
    }

    /** Netty's leak reports since the last call as a failure, or null. */
    private static AssertionError reports(String when) {
        List<String> reports = RecordingLeakDetector.drain();
        if (reports.isEmpty()) {
            return null;
        }
        StringBuilder message = new StringBuilder()
                .append(reports.size())
                .append(" Netty leak report(s) ")
                .append(when)
                .append(":");
        reports.stream().limit(SHOWN).forEach(report -> message.append("\n").append(report));
        if (reports.size() > SHOWN) {
            message.append("\n... and ").append(reports.size() - SHOWN).append(" more in the log");
        }
        return new AssertionError(message.toString());
    }

    private static void failIfAny(AssertionError first, AssertionError second) {
        if (first != null) {
            if (second != null) {
                first.addSuppressed(second);
            }
            throw first;
        }
        if (second != null) {
            throw second;
        }
    }
}
