package ai.powerpost.gateway.bench;

import ai.powerpost.gateway.pipeline.Check;
import ai.powerpost.gateway.pipeline.CheckPass;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.AbstractServerHttpResponse;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.http.support.Netty4HeadersAdapter;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.adapter.DefaultServerWebExchange;
import org.springframework.web.server.i18n.AcceptHeaderLocaleContextResolver;
import org.springframework.web.server.i18n.LocaleContextResolver;
import org.springframework.web.server.session.DefaultWebSessionManager;
import org.springframework.web.server.session.WebSessionManager;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Requests, exchanges and filter chains as the running gateway has them, without a server:
 * headers are Netty's, seen through Spring's read-only {@link HttpHeaders} over a
 * {@link Netty4HeadersAdapter} (what {@code ReactorServerHttpRequest} hands the filters, so every
 * header read costs what it costs in production), and exchanges are WebFlux's
 * {@link DefaultServerWebExchange}.
 */
final class Exchanges {

    private static final WebSessionManager SESSIONS = new DefaultWebSessionManager();
    private static final ServerCodecConfigurer CODECS = ServerCodecConfigurer.create();
    private static final LocaleContextResolver LOCALES = new AcceptHeaderLocaleContextResolver();

    private Exchanges() {}

    /** The six headers of a typical API call, as Netty decoded them. */
    static io.netty.handler.codec.http.HttpHeaders typicalHeaders(String apiKey, String workspaceId) {
        return new DefaultHttpHeaders()
                .add("Host", "api.powerpost.ai")
                .add("User-Agent", "powerpost-node/2.4.1 (node 20.11.1; linux x64)")
                .add("Accept", "application/json")
                .add("x-api-key", apiKey)
                .add("X-Workspace-Id", workspaceId)
                .add("Content-Type", "application/json");
    }

    /** The request headers exactly as the filters see them: {@code exchange.getRequest().getHeaders()}. */
    static HttpHeaders requestHeaders(io.netty.handler.codec.http.HttpHeaders netty) {
        return HttpHeaders.readOnlyHttpHeaders(new HttpHeaders(new Netty4HeadersAdapter(netty)));
    }

    /** Response headers as {@code ReactorServerHttpResponse} has them: Netty's, writable. */
    static HttpHeaders responseHeaders() {
        return new HttpHeaders(new Netty4HeadersAdapter(new DefaultHttpHeaders()));
    }

    /** A new exchange, as {@code HttpWebHandlerAdapter} creates one per request. */
    static ServerWebExchange exchange(
            HttpMethod method, URI uri, io.netty.handler.codec.http.HttpHeaders headers, InetSocketAddress client) {
        return new DefaultServerWebExchange(
                new Request(method, uri, headers, client), new Response(), SESSIONS, CODECS, LOCALES);
    }

    /**
     * The filters run in their {@link Ordered} order, ending in {@code terminal}. The links are built
     * once, so the chain itself costs nothing per request (Spring Cloud Gateway's own chain, which
     * allocates a link and a {@code Mono.defer} per filter, is not this project's cost).
     */
    /** The checks as the gateway runs them: one {@link CheckPass}, then {@code terminal}. */
    static GatewayFilterChain pass(List<Check> checks, GatewayFilterChain terminal) {
        CheckPass pass = new CheckPass(checks);
        return exchange -> pass.filter(exchange, terminal);
    }

    static GatewayFilterChain chain(List<GlobalFilter> filters, GatewayFilterChain terminal) {
        List<GlobalFilter> ordered = filters.stream()
                .sorted((a, b) -> Integer.compare(((Ordered) a).getOrder(), ((Ordered) b).getOrder()))
                .toList();
        GatewayFilterChain chain = terminal;
        for (int i = ordered.size() - 1; i >= 0; i--) {
            GlobalFilter filter = ordered.get(i);
            GatewayFilterChain next = chain;
            chain = exchange -> filter.filter(exchange, next);
        }
        return chain;
    }

    private static final class Request extends AbstractServerHttpRequest {
        private final InetSocketAddress client;

        Request(HttpMethod method, URI uri, io.netty.handler.codec.http.HttpHeaders headers, InetSocketAddress client) {
            super(method, uri, null, new HttpHeaders(new Netty4HeadersAdapter(headers)));
            this.client = client;
        }

        @Override
        public InetSocketAddress getRemoteAddress() {
            return client;
        }

        @Override
        protected MultiValueMap<String, HttpCookie> initCookies() {
            return new LinkedMultiValueMap<>();
        }

        @Override
        protected @Nullable SslInfo initSslInfo() {
            return null;
        }

        @Override
        public <T> T getNativeRequest() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Flux<DataBuffer> getBody() {
            return Flux.empty();
        }
    }

    /** Writes nowhere: a committed response's body buffers are released at once. */
    private static final class Response extends AbstractServerHttpResponse {

        Response() {
            super(DefaultDataBufferFactory.sharedInstance, responseHeaders());
        }

        @Override
        public <T> T getNativeResponse() {
            throw new UnsupportedOperationException();
        }

        @Override
        protected Mono<Void> writeWithInternal(Publisher<? extends DataBuffer> body) {
            return Flux.from(body).doOnNext(DataBufferUtils::release).then();
        }

        @Override
        protected Mono<Void> writeAndFlushWithInternal(Publisher<? extends Publisher<? extends DataBuffer>> body) {
            return Flux.from(body)
                    .concatMap(Flux::from)
                    .doOnNext(DataBufferUtils::release)
                    .then();
        }

        @Override
        protected void applyStatusCode() {}

        @Override
        protected void applyHeaders() {}

        @Override
        protected void applyCookies() {}
    }
}
