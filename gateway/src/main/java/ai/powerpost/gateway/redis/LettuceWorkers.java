package ai.powerpost.gateway.redis;

import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocalThread;

/**
 * Lettuce's worker threads ({@code ClientResources.eventExecutorGroup}), declared for what they
 * are: threads that may wait. Lettuce runs its reconnects, its Sentinel look-ups and its topology
 * refreshes on them, never a socket's reads and writes (those are its I/O event loops, which stay
 * non-blocking). Lettuce itself waits there: a reconnect through the sentinels opens a sentinel
 * connection, whose constructor takes a process-wide lock
 * ({@code AbstractInvocationHandler$MethodTranslator.of}), contended when several connections
 * reconnect at once after a primary dies.
 *
 * <p>Lettuce's default threads are Netty {@link FastThreadLocalThread}s that deny blocking calls,
 * so Netty's BlockHound integration counts them as event loops. Here they say
 * {@link FastThreadLocalThread#permitBlockingCalls()} (Netty's own switch for a thread that may
 * block); the size is Lettuce's default, {@code max(3, cores)}.
 */
final class LettuceWorkers extends DefaultEventExecutorGroup {

    LettuceWorkers() {
        super(Math.max(3, Runtime.getRuntime().availableProcessors()), new WorkerThreads());
    }

    private static final class WorkerThreads extends DefaultThreadFactory {
        WorkerThreads() {
            super("lettuce-worker", true);
        }

        @Override
        protected Thread newThread(Runnable r, String name) {
            return new FastThreadLocalThread(threadGroup, r, name) {
                @Override
                public boolean permitBlockingCalls() {
                    return true;
                }
            };
        }
    }
}
