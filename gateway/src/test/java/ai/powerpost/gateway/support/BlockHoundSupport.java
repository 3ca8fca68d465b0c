package ai.powerpost.gateway.support;

import reactor.blockhound.BlockHound;

/**
 * Installs BlockHound once per test JVM: any blocking call on a non-blocking thread (Netty event
 * loops, Reactor's parallel schedulers) fails the request that made it, and so the test.
 */
final class BlockHoundSupport {

    private static boolean installed;

    private BlockHoundSupport() {
    }

    static synchronized void install() {
        if (!installed) {
            BlockHound.install();
            installed = true;
        }
    }
}
