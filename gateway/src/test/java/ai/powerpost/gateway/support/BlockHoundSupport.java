package ai.powerpost.gateway.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingMethod;

/**
 * Installs BlockHound once per test JVM and records every blocking call made on a non-blocking
 * thread (Netty event loops, Reactor's parallel schedulers); {@link NoBlockingCallsExtension}
 * fails the test during which one was made, with the stack trace of the call.
 *
 * <p>Why record instead of BlockHound's default (throw {@code BlockingOperationError} from the
 * blocking call): the throw happens <em>inside</em> whatever was about to block, and third-party
 * code is not written to survive an {@code Error} there. Thrown from {@code Unsafe.park}, it leaves
 * the caller's node queued in the lock (the JDK's lock code has no {@code finally} around its
 * park), so every later contended acquire of that lock waits for a wake-up that never comes; thrown
 * from Lettuce's {@code SharedLock.incrementWriters}, Lettuce's {@code finally} decrements a writer
 * count it never incremented, and every later write to that connection spins forever. One flagged
 * call became a whole test context answering 500 and a JVM that would not exit: the failure then
 * named the cascade, never the call. Recording lets the call complete, so the failure names it.
 *
 * <p>The allowances below are third-party internals; each says why it is not a wait.
 */
final class BlockHoundSupport {

    /** Enough to diagnose; a runaway loop must not fill the heap with stack traces. */
    private static final int KEPT = 20;

    private static final ConcurrentLinkedQueue<BlockingCallOnEventLoop> calls = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger count = new AtomicInteger();
    private static boolean installed;

    private BlockHoundSupport() {}

    static synchronized void install() {
        if (!installed) {
            BlockHound.install(builder -> builder
                    // Netty's adaptive allocator: a magazine's StampedLock, held for a few
                    // instructions while a buffer goes back to a shared magazine, parks only when
                    // two threads free into the same magazine at once (seen once, on an event
                    // loop's read buffer, under a loaded machine). Not a wait for anything outside
                    // the process; Netty 4.2.21's own BlockHound integration allows exactly this
                    // method (this build is on Boot's Netty, whose integration predates it).
                    .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free")
                    // Lettuce's cluster connection provider: when a node connection's handshake
                    // succeeds (on Lettuce's event loop) it takes the provider's state lock to
                    // apply the auto-flush setting and add a push listener; the lock guards only
                    // in-memory state (partitions, auto-flush, read selection), never I/O, and
                    // parks only when another thread holds it for those few instructions (seen
                    // once, while a third gateway connected to every node of the test cluster).
                    .allowBlockingCallsInside(
                            "io.lettuce.core.cluster.PooledClusterConnectionProvider$NodeConnectionPostProcessor",
                            "lambda$apply$4")
                    .blockingMethodCallback(BlockHoundSupport::record));
            installed = true;
        }
    }

    private static void record(BlockingMethod method) {
        if (count.incrementAndGet() <= KEPT) {
            calls.add(new BlockingCallOnEventLoop(method, Thread.currentThread()));
        }
    }

    /** The blocking calls recorded since the last call, oldest first, and how many there were. */
    static Drained drain() {
        List<BlockingCallOnEventLoop> drained = new ArrayList<>();
        for (BlockingCallOnEventLoop call; (call = calls.poll()) != null; ) {
            drained.add(call);
        }
        return new Drained(drained, count.getAndSet(0));
    }

    record Drained(List<BlockingCallOnEventLoop> kept, int total) {}

    /** A blocking call as it was made: its stack trace is the caller's. */
    static final class BlockingCallOnEventLoop extends AssertionError {
        BlockingCallOnEventLoop(BlockingMethod method, Thread thread) {
            super("blocking call " + method + " on non-blocking thread " + thread.getName());
        }
    }
}
