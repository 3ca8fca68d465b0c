package ai.powerpost.gateway.web;

import ai.powerpost.gateway.pipeline.Check;

/** For the JMH benchmarks only (bench/jmh): the web package's stages, built the way {@link WebConfiguration} builds them. */
public final class WebBenchAccess {

    private WebBenchAccess() {}

    public static Check requestIdFilter(TrustedProxies proxies) {
        return new RequestIdCheck(proxies);
    }

    public static Check upstreamRequestTarget() {
        return new UpstreamRequestHeaders.Target();
    }
}
