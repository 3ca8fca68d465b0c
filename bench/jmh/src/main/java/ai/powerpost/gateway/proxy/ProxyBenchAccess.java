package ai.powerpost.gateway.proxy;

import org.springframework.cloud.gateway.filter.GlobalFilter;

/** For the JMH benchmarks only (bench/jmh): the proxy package's package-private filter. */
public final class ProxyBenchAccess {

    private ProxyBenchAccess() {}

    public static GlobalFilter bodyLimitFilter() {
        return new RequestBodyFilter();
    }
}
