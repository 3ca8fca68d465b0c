package ai.powerpost.gateway.proxy;

import ai.powerpost.gateway.pipeline.Check;

/** For the JMH benchmarks only (bench/jmh): the proxy package's package-private filter. */
public final class ProxyBenchAccess {

    private ProxyBenchAccess() {}

    public static Check bodyLimitFilter() {
        return new BodyLimitCheck();
    }
}
