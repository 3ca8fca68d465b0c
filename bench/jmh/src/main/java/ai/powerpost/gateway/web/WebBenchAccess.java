package ai.powerpost.gateway.web;

import org.springframework.cloud.gateway.filter.GlobalFilter;

/** For the JMH benchmarks only (bench/jmh): the web package's stages, built the way {@link WebConfiguration} builds them. */
public final class WebBenchAccess {

    private WebBenchAccess() {}

    public static GlobalFilter requestIdFilter(TrustedProxies proxies) {
        return new RequestIdFilter(proxies);
    }

    public static GlobalFilter upstreamRequestTarget() {
        return new UpstreamRequestHeaders.Target();
    }
}
