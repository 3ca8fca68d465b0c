package ai.powerpost.gateway.metrics;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The access log's appender: each event's message, one per line, to stdout, written in batches by
 * one background thread.
 *
 * <p>The request thread only adds the line to a lock-free queue; it never wakes a thread, takes a
 * lock or makes a system call. The writer thread wakes on its own every {@code flushIntervalMillis}
 * (default 50), and writes everything queued with one {@code write} to stdout. Logback's
 * {@code AsyncAppender}, used before, signals its worker on every event: at 10 000 requests a
 * second that was a futex call and a context switch per request, most of the access log's cost
 * (docs/performance.md).
 *
 * <p>When {@code queueSize} lines (default 65 536) are waiting, further lines are dropped and
 * counted ({@link #dropped()}, exported as {@code gateway_access_log_dropped_total}): the request
 * path never waits for the log. On stop, what is queued is written before the thread ends.
 * Writes go through {@link System#out}, whose lock keeps them whole beside the console log.
 */
public final class BatchingStdoutAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

    private static final AtomicLong DROPPED = new AtomicLong();

    private final Queue<String> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private int queueSize = 65_536;
    private long flushIntervalMillis = 50;
    private PrintStream out = System.out;
    private volatile boolean running;
    private Thread writer;

    /** Lines dropped because the queue was full, by every instance since start-up. */
    public static long dropped() {
        return DROPPED.get();
    }

    public void setQueueSize(int queueSize) {
        this.queueSize = queueSize;
    }

    public void setFlushIntervalMillis(long flushIntervalMillis) {
        this.flushIntervalMillis = flushIntervalMillis;
    }

    /** For tests: where the lines go instead of stdout. */
    void setOut(PrintStream out) {
        this.out = out;
    }

    @Override
    public void start() {
        if (queueSize < 1 || flushIntervalMillis < 1) {
            addError("queueSize and flushIntervalMillis must be positive");
            return;
        }
        running = true;
        writer = new Thread(this::writeLoop, "access-log-writer");
        writer.setDaemon(true);
        writer.start();
        super.start();
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        running = false;
        LockSupport.unpark(writer);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (queued.incrementAndGet() > queueSize) {
            queued.decrementAndGet();
            DROPPED.incrementAndGet();
            return;
        }
        queue.offer(event.getFormattedMessage());
    }

    private void writeLoop() {
        ByteArrayOutputStream batch = new ByteArrayOutputStream(64 * 1024);
        while (running) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(flushIntervalMillis));
            drain(batch);
        }
        drain(batch);
    }

    private void drain(ByteArrayOutputStream batch) {
        String line;
        while ((line = queue.poll()) != null) {
            queued.decrementAndGet();
            byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            batch.write(bytes, 0, bytes.length);
            batch.write('\n');
            if (batch.size() >= 256 * 1024) {
                flush(batch);
            }
        }
        flush(batch);
    }

    private void flush(ByteArrayOutputStream batch) {
        if (batch.size() == 0) {
            return;
        }
        try {
            batch.writeTo(out); // PrintStream.write: one locked write, whole beside other writers
            out.flush();
        } catch (Exception e) {
            addError("could not write the access log", e);
        }
        batch.reset();
    }
}
