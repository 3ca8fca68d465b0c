package ai.powerpost.gateway.web;

import ai.powerpost.gateway.auth.KeyMode;
import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.pipeline.RequestState;
import ai.powerpost.gateway.routing.RouteMatch;
import ai.powerpost.gateway.routing.RouteTable;
import ai.powerpost.gateway.routing.RouteTableParser;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.io.ByteArrayInputStream;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
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
import org.springframework.web.server.session.DefaultWebSessionManager;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Exchanges as the running gateway has them, without a server: request headers are Netty's
 * {@link DefaultHttpHeaders} (name-validating, as the HTTP decoder makes them) seen through Spring's
 * read-only {@link HttpHeaders} over a {@link Netty4HeadersAdapter}, exactly what
 * {@code ReactorServerHttpRequest} hands the filters; or, for names Netty would refuse, Spring's own
 * case-insensitive headers. The response's native response records the trailer headers set on it.
 */
final class HeaderExchanges {

    static final KeyRecord KEY = new KeyRecord(
            "hash", "key_1", "acct_1", Set.of(), "posts:read posts:write", KeyMode.LIVE, KeyRecord.NEVER, "key_1");
    /** The same key in test mode: its upstream must be told {@code X-PowerPost-Key-Mode: test}. */
    static final KeyRecord TEST_KEY = new KeyRecord(
            "hash", "key_1", "acct_1", Set.of(), "posts:read posts:write", KeyMode.TEST, KeyRecord.NEVER, "key_1");

    private static final RouteTable ROUTES = new RouteTableParser("test routes", variable -> null)
            .parse(new ByteArrayInputStream("""
                    upstreams:
                      backend:
                        uri: http://backend:8080
                    routes:
                      - id: with-workspace
                        method: GET
                        path: /w
                        scope: posts:read
                        upstream: backend
                      - id: without-workspace
                        method: GET
                        path: /a
                        scope: account:read
                        workspace: false
                        upstream: backend
                    """.getBytes(StandardCharsets.UTF_8)));

    private HeaderExchanges() {}

    /**
     * A request's headers as Netty decoded them, in order, each pair one header line (its value
     * without the surrounding spaces and tabs, which the decoder strips).
     */
    static io.netty.handler.codec.http.HttpHeaders netty(List<String[]> lines) {
        DefaultHttpHeaders headers = new DefaultHttpHeaders();
        lines.forEach(line -> headers.add(line[0], line[1].strip()));
        return headers;
    }

    /** Spring's own headers, for names Netty would refuse. */
    static HttpHeaders spring(List<String[]> lines) {
        HttpHeaders headers = new HttpHeaders();
        lines.forEach(line -> headers.add(line[0], line[1]));
        return headers;
    }

    /** An exchange the checks passed: authenticated, its route matched, a request id chosen. */
    static ServerWebExchange allowed(
            HttpHeaders requestHeaders,
            String pathAndQuery,
            boolean workspaceRoute,
            @Nullable String requestId,
            InetSocketAddress peer) {
        return allowed(requestHeaders, pathAndQuery, workspaceRoute, requestId, peer, KEY);
    }

    /** As {@link #allowed(HttpHeaders, String, boolean, String, InetSocketAddress)}, authenticated with {@code key}. */
    static ServerWebExchange allowed(
            HttpHeaders requestHeaders,
            String pathAndQuery,
            boolean workspaceRoute,
            @Nullable String requestId,
            InetSocketAddress peer,
            KeyRecord key) {
        String path = workspaceRoute ? "/w" : "/a";
        ServerWebExchange exchange = exchange(requestHeaders, path + pathAndQuery, peer);
        RouteMatch match = ROUTES.match("GET", path);
        if (!(match instanceof RouteMatch.Found)) {
            throw new IllegalStateException("test route not found: " + match);
        }
        RequestState state = RequestState.of(exchange);
        state.route(match);
        state.identify(requestId, peer.getHostString());
        state.authenticated(key);
        return exchange;
    }

    static ServerWebExchange exchange(HttpHeaders requestHeaders, String pathAndQuery, InetSocketAddress peer) {
        return new DefaultServerWebExchange(
                new Request(URI.create("http://gateway.test" + pathAndQuery), requestHeaders, peer),
                new Response(),
                new DefaultWebSessionManager(),
                ServerCodecConfigurer.create(),
                new AcceptHeaderLocaleContextResolver());
    }

    static HttpHeaders requestHeaders(io.netty.handler.codec.http.HttpHeaders netty) {
        return new HttpHeaders(new Netty4HeadersAdapter(netty));
    }

    /** The trailer headers set on the exchange's native response, applied in order. */
    static List<String> trailers(ServerWebExchange exchange) {
        Response response = (Response) exchange.getResponse();
        DefaultHttpHeaders trailers = new DefaultHttpHeaders(false);
        response.trailerConsumers.forEach(consumer -> consumer.accept(trailers));
        List<String> lines = new ArrayList<>();
        trailers.forEach(e -> lines.add(e.getKey() + ": " + e.getValue()));
        return lines;
    }

    /** Every header as NettyRoutingFilter copies it into the upstream request, in order: name and values. */
    static List<String> lines(HttpHeaders headers) {
        List<String> lines = new ArrayList<>();
        headers.forEach((name, values) -> lines.add(name + ": " + values));
        return lines;
    }

    private static final class Request extends AbstractServerHttpRequest {
        private final InetSocketAddress peer;

        Request(URI uri, HttpHeaders headers, InetSocketAddress peer) {
            super(HttpMethod.GET, uri, null, headers);
            this.peer = peer;
        }

        @Override
        public InetSocketAddress getRemoteAddress() {
            return peer;
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

    private static final class Response extends AbstractServerHttpResponse {

        final List<Consumer<? super io.netty.handler.codec.http.HttpHeaders>> trailerConsumers = new ArrayList<>();
        private final HttpServerResponse nativeResponse = (HttpServerResponse) Proxy.newProxyInstance(
                HttpServerResponse.class.getClassLoader(),
                new Class<?>[] {HttpServerResponse.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("trailerHeaders")) {
                        @SuppressWarnings("unchecked")
                        Consumer<? super io.netty.handler.codec.http.HttpHeaders> consumer =
                                (Consumer<? super io.netty.handler.codec.http.HttpHeaders>) args[0];
                        trailerConsumers.add(consumer);
                        return proxy;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });

        Response() {
            super(
                    DefaultDataBufferFactory.sharedInstance,
                    new HttpHeaders(new Netty4HeadersAdapter(new DefaultHttpHeaders())));
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T getNativeResponse() {
            return (T) nativeResponse;
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
