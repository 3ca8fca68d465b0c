package ai.powerpost.gateway.support;

/** Loopback ports for tests. */
public final class FreePorts {

    private FreePorts() {}

    /** A loopback port that was free a moment ago and on which nothing listens. */
    public static int unused() {
        return RedisSupport.freePort();
    }
}
