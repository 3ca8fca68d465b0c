package ai.powerpost.gateway.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Log events a test provokes on purpose (a refused routes file, a failed start-up's report):
 * while one is open, the events of its logger at its level are kept off the console and
 * collected here, for the test to assert on. Anything else still prints, so an unexpected error
 * is never hidden. The console filter ({@link ConsoleFilter}) is set in logback-test.xml; it is
 * created anew whenever Spring Boot resets logging, so what it consults is static.
 */
public final class ExpectedLogs implements AutoCloseable {

    private static final List<ExpectedLogs> OPEN = new CopyOnWriteArrayList<>();

    private final String logger;
    private final Level level;
    private final Predicate<ILoggingEvent> which;
    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

    private ExpectedLogs(String logger, Level level, Predicate<ILoggingEvent> which) {
        this.logger = logger;
        this.level = level;
        this.which = which;
    }

    /** Claims the events of {@code logger} at {@code level} until closed. */
    public static ExpectedLogs expect(Class<?> logger, Level level) {
        return expect(logger.getName(), level);
    }

    public static ExpectedLogs expect(String logger, Level level) {
        return expect(logger, level, event -> true);
    }

    /** Claims only the events of {@code logger} at {@code level} that {@code which} accepts. */
    public static ExpectedLogs expect(String logger, Level level, Predicate<ILoggingEvent> which) {
        ExpectedLogs expected = new ExpectedLogs(logger, level, which);
        OPEN.add(expected);
        return expected;
    }

    /** The claimed events' messages, formatted, in order. */
    public List<String> messages() {
        List<String> messages = new ArrayList<>();
        for (ILoggingEvent event : events) {
            messages.add(event.getFormattedMessage());
        }
        return messages;
    }

    @Override
    public void close() {
        OPEN.remove(this);
    }

    private boolean claims(ILoggingEvent event) {
        if (event.getLevel() == level && event.getLoggerName().equals(logger) && which.test(event)) {
            events.add(event);
            return true;
        }
        return false;
    }

    /** The console appender's filter: denies an event an open {@link ExpectedLogs} claims. */
    public static final class ConsoleFilter extends Filter<ILoggingEvent> {

        @Override
        public FilterReply decide(ILoggingEvent event) {
            for (ExpectedLogs expected : OPEN) {
                if (expected.claims(event)) {
                    return FilterReply.DENY;
                }
            }
            return FilterReply.NEUTRAL;
        }
    }
}
