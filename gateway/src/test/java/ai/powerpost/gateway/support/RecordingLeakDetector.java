package ai.powerpost.gateway.support;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakTracker;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Netty's leak detector in the test JVMs, chosen by {@code -Dio.netty.customResourceLeakDetector}
 * in the pom (Netty reads the property once, when its detector factory is first used, so it must
 * be set on the command line): it reports a leak exactly as Netty's does (an ERROR record of
 * {@code io.netty.util.ResourceLeakDetector}) and also keeps the report, for {@link
 * NoBufferLeaksExtension} to fail the test run with. A log line alone may or may not be seen; a
 * failed test is.
 *
 * <p>It reports whether or not that logger is enabled ({@link #needReport}): turning Netty's logging
 * down must not turn the check off.
 */
public final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {

    private static final Queue<String> REPORTS = new ConcurrentLinkedQueue<>();
    private static final AtomicLong TRACKED = new AtomicLong();
    private static volatile boolean installed;

    /** The constructor Netty's factory looks up. */
    public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
        installed = true;
    }

    /** The older constructor, which the factory tries first; {@code maxActive} is unused by Netty. */
    public RecordingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
        this(resourceType, samplingInterval);
    }

    /** Whether Netty uses this detector (the pom sets it; an IDE's run configuration may not). */
    static boolean installed() {
        return installed;
    }

    /** How many resources were offered for tracking so far: a sweep is needed only when this grew. */
    static long tracked() {
        return TRACKED.get();
    }

    /** The reports kept since the last call, oldest first. */
    static List<String> drain() {
        List<String> drained = new ArrayList<>();
        for (String report; (report = REPORTS.poll()) != null; ) {
            drained.add(report);
        }
        return drained;
    }

    @Override
    public ResourceLeakTracker<T> track(T obj) {
        TRACKED.incrementAndGet();
        return super.track(obj);
    }

    @Override
    public ResourceLeakTracker<T> trackForcibly(T obj) {
        TRACKED.incrementAndGet();
        return super.trackForcibly(obj);
    }

    @Override
    protected boolean needReport() {
        return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        REPORTS.add("LEAK: " + resourceType + ".release() was not called before it's garbage-collected." + records);
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        REPORTS.add("LEAK: " + resourceType + ".release() was not called before it's garbage-collected"
                + " (no access records at this io.netty.leakDetection.level)");
        super.reportUntracedLeak(resourceType);
    }
}
