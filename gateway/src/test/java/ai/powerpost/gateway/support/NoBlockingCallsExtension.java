package ai.powerpost.gateway.support;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every JUnit Jupiter test of this module (by {@code junit-platform.properties}
 * and its service file): installs BlockHound before the first test, and fails each test during
 * which a blocking call was made on a non-blocking thread, naming the first calls with their stack
 * traces. A call made between tests (a background flush, a shutdown) fails the next test.
 */
public final class NoBlockingCallsExtension implements BeforeAllCallback, AfterEachCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        BlockHoundSupport.install();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        BlockHoundSupport.Drained drained = BlockHoundSupport.drain();
        if (drained.total() > 0 || !drained.kept().isEmpty()) {
            AssertionError failure =
                    new AssertionError(Math.max(drained.total(), drained.kept().size())
                            + " blocking call(s) on a non-blocking thread during this test"
                            + (drained.kept().isEmpty()
                                    ? ""
                                    : "; the first: " + drained.kept().get(0).getMessage()));
            drained.kept().forEach(failure::addSuppressed);
            throw failure;
        }
    }
}
