package ai.powerpost.gateway.web;

import ai.powerpost.gateway.pipeline.Stage;
import ai.powerpost.gateway.pipeline.StageFilter;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import reactor.netty.http.client.HttpClient;

/**
 * Wires the web package, and Spring Cloud Gateway's Netty routing filter with the gateway's own
 * request header filter ({@link UpstreamRequestHeaders}, one copy of the headers per request) in
 * place of its request header filters, which copy them once each. Spring Cloud Gateway's own
 * routing filter is switched off for it ({@value #NETTY_ROUTING_ENABLED}{@code =false}, which
 * switches off its response-writing filter too, declared here as it declares it, but ordered
 * inside the upstream call: {@link Stage#UPSTREAM_RESPONSE}).
 */
@Configuration(proxyBeanMethods = false)
class WebConfiguration {

    static final String TRACING_ENABLED = "management.tracing.export.enabled";

    static final String NETTY_ROUTING_ENABLED =
            "spring.cloud.gateway.server.webflux.global-filter.netty-routing.enabled";

    @Bean
    TrustedProxies trustedProxies(EdgeProperties properties) {
        return properties.proxies();
    }

    @Bean
    RequestIdCheck requestIdFilter(TrustedProxies proxies) {
        return new RequestIdCheck(proxies);
    }

    /**
     * The server span of every request, only when tracing is on: Spring Boot's own switch
     * ({@value #TRACING_ENABLED}, false in application.yml), so with tracing off there is no
     * trace stage at all and the other stages' tracing is one null check (docs/tracing.md).
     */
    @Bean
    @ConditionalOnBooleanProperty(TRACING_ENABLED)
    TraceCheck traceFilter(Tracer tracer, Propagator propagator, TrustedProxies proxies) {
        return new TraceCheck(tracer, propagator, proxies);
    }

    @Bean
    RequestHygieneCheck requestHygieneFilter() {
        return new RequestHygieneCheck();
    }

    @Bean
    UpstreamRequestHeaders.Target upstreamRequestTarget() {
        return new UpstreamRequestHeaders.Target();
    }

    /**
     * Spring Cloud Gateway's {@code NettyRoutingFilter}, built as its auto-configuration builds it,
     * but handed {@link UpstreamRequestHeaders#routingFilters()}: the gateway's request header
     * filter, then Spring Cloud Gateway's response header filters, unchanged.
     */
    @Bean
    NettyRoutingFilter upstreamRoutingFilter(
            HttpClient httpClient,
            ObjectProvider<List<HttpHeadersFilter>> headersFilters,
            HttpClientProperties properties,
            Environment environment,
            TrustedProxies proxies) {
        requireGatewaysOwnRoutingFilterOff(environment);
        List<HttpHeadersFilter> filters =
                new UpstreamRequestHeaders(headersFilters.getIfAvailable(List::of), proxies).routingFilters();
        return new NettyRoutingFilter(
                httpClient,
                new ObjectProvider<>() {
                    @Override
                    public List<HttpHeadersFilter> getObject() {
                        return filters;
                    }

                    @Override
                    public List<HttpHeadersFilter> getIfAvailable() {
                        return filters;
                    }

                    @Override
                    public List<HttpHeadersFilter> getIfUnique() {
                        return filters;
                    }
                },
                properties);
    }

    /**
     * Spring Cloud Gateway's {@code NettyWriteResponseFilter}, as its auto-configuration declares it,
     * but at {@link Stage#UPSTREAM_RESPONSE}, inside the upstream call, instead of -1.
     */
    @Bean
    NettyWriteResponseFilter upstreamWriteResponseFilter(
            GatewayProperties properties, ObjectProvider<List<HttpHeadersFilter>> headersFilters) {
        return new UpstreamResponseWriter(properties.getStreamingMediaTypes(), headersFilters);
    }

    /** Spring Cloud Gateway's response-writing filter, unchanged but for its place in the chain. */
    static final class UpstreamResponseWriter extends NettyWriteResponseFilter implements StageFilter {

        UpstreamResponseWriter(
                List<MediaType> streamingMediaTypes, ObjectProvider<List<HttpHeadersFilter>> headersFilters) {
            super(streamingMediaTypes, headersFilters);
        }

        @Override
        public Stage stage() {
            return Stage.UPSTREAM_RESPONSE;
        }

        @Override
        public int getOrder() {
            return stage().order();
        }

        @Override
        public String toString() {
            return "UpstreamResponseWriter";
        }
    }

    /**
     * Two routing filters would both be in the chain, the first to run sending the request with its
     * own header filters: with Spring Cloud Gateway's, without the gateway's identity headers.
     */
    static void requireGatewaysOwnRoutingFilterOff(Environment environment) {
        if (!"false".equalsIgnoreCase(environment.getProperty(NETTY_ROUTING_ENABLED))) {
            throw new IllegalStateException(
                    NETTY_ROUTING_ENABLED + " must be false: the gateway declares its own Netty "
                            + "routing filter (web.WebConfiguration), whose request header filter sets the identity headers");
        }
    }
}
