package ai.powerpost.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The access log's appender: every line written whole, in order, in few writes; never blocks. */
class BatchingStdoutAppenderTest {

    /** Counts write calls, so the batching itself is checked, not only the text. */
    private static final class CountingOut extends PrintStream {
        final AtomicInteger writes = new AtomicInteger();
        final ByteArrayOutputStream bytes;

        CountingOut(ByteArrayOutputStream bytes) {
            super(bytes, false, StandardCharsets.UTF_8);
            this.bytes = bytes;
        }

        @Override
        public void write(byte[] buf, int off, int len) {
            writes.incrementAndGet();
            super.write(buf, off, len);
        }

        String text() {
            synchronized (this) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }

    private static LoggingEvent event(Logger logger, String message) {
        return new LoggingEvent(Logger.FQCN, logger, Level.INFO, message, null, null);
    }

    @Test
    void writesEveryLineInOrderInBatches() {
        CountingOut out = new CountingOut(new ByteArrayOutputStream());
        BatchingStdoutAppender appender = new BatchingStdoutAppender();
        LoggerContext context = new LoggerContext();
        appender.setContext(context);
        appender.setOut(out);
        appender.setFlushIntervalMillis(200);
        appender.start();
        Logger logger = context.getLogger("access");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            String line = "{\"n\":" + i + ",\"text\":\"é\"}";
            expected.add(line);
            appender.doAppend(event(logger, line));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> out.text().split("\n").length == 5_000);
        assertThat(out.text()).isEqualTo(String.join("\n", expected) + "\n");
        assertThat(out.writes.get()).as("5000 lines in a handful of writes").isLessThan(20);
        appender.stop();
    }

    @Test
    void stopWritesWhatIsQueued() {
        CountingOut out = new CountingOut(new ByteArrayOutputStream());
        BatchingStdoutAppender appender = new BatchingStdoutAppender();
        LoggerContext context = new LoggerContext();
        appender.setContext(context);
        appender.setOut(out);
        appender.setFlushIntervalMillis(60_000); // never by time: only stop() can write these
        appender.start();
        Logger logger = context.getLogger("access");
        appender.doAppend(event(logger, "first"));
        appender.doAppend(event(logger, "second"));
        appender.stop();
        assertThat(out.text()).isEqualTo("first\nsecond\n");
    }

    @Test
    void dropsAndCountsWhenFullRatherThanWaiting() {
        CountingOut out = new CountingOut(new ByteArrayOutputStream());
        BatchingStdoutAppender appender = new BatchingStdoutAppender();
        LoggerContext context = new LoggerContext();
        appender.setContext(context);
        appender.setOut(out);
        appender.setQueueSize(10);
        appender.setFlushIntervalMillis(60_000);
        appender.start();
        Logger logger = context.getLogger("access");
        long droppedBefore = BatchingStdoutAppender.dropped();
        for (int i = 0; i < 25; i++) {
            appender.doAppend(event(logger, "line " + i));
        }
        assertThat(BatchingStdoutAppender.dropped() - droppedBefore).isEqualTo(15);
        appender.stop();
        assertThat(out.text().split("\n")).hasSize(10).startsWith("line 0").endsWith("line 9");
    }
}
