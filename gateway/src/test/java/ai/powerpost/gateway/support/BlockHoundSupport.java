package ai.powerpost.gateway.support;

import reactor.blockhound.BlockHound;

/**
 * Installs BlockHound once per test JVM: any blocking call on a non-blocking thread (Netty event
 * loops, Reactor's parallel schedulers) fails the request that made it, and so the test. The
 * allowances below are third-party internals that BlockHound's own Netty integration does not
 * list yet; each says why it is not a blocking call.
 */
final class BlockHoundSupport {

    private static boolean installed;

    private BlockHoundSupport() {}

    static synchronized void install() {
        if (!installed) {
            BlockHound.install(builder -> builder
                    // Netty 4.2's adaptive allocator takes a StampedLock for a few instructions when it
                    // grows or frees a magazine: by design on event loops, not I/O and not a wait.
                    .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free")
                    .allowBlockingCallsInside(
                            "io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines")
                    // Spring Data Redis re-opens its shared connection under a lock after a failure
                    // reset it (opened eagerly at start-up, so only on that recovery path). Left
                    // flagged, one failed command under load became a cascade of 500s in tests.
                    .allowBlockingCallsInside(
                            "org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory$SharedConnection",
                            "getConnection")
                    // Lettuce's cluster writer waits for a node's connection while it is first
                    // opening (nodes are connected lazily); a Lettuce internal, once per node.
                    .allowBlockingCallsInside(
                            "io.lettuce.core.cluster.PooledClusterConnectionProvider", "getWriteConnection")
                    .allowBlockingCallsInside(
                            "io.lettuce.core.cluster.PooledClusterConnectionProvider", "getReadConnection"));
            installed = true;
        }
    }
}
