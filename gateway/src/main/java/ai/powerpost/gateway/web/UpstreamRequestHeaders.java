package ai.powerpost.gateway.web;

import ai.powerpost.gateway.auth.ApiKeyExtractor;
import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.pipeline.GatewayHeaders;
import ai.powerpost.gateway.pipeline.RequestState;
import ai.powerpost.gateway.pipeline.RequestTrace;
import ai.powerpost.gateway.pipeline.RouteCheck;
import ai.powerpost.gateway.pipeline.Stage;
import ai.powerpost.gateway.pipeline.Verdict;
import ai.powerpost.gateway.routing.RouteSpec;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.springframework.cloud.gateway.filter.headers.GRPCRequestHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveForwardedHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveHopByHopHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveXForwardedHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.TransferEncodingNormalizationHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.util.StringUtils;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * What the upstream receives, decided and written in this one unit: the request target
 * ({@link Target}, the stage {@link Stage#UPSTREAM_REQUEST}) and the request headers (this
 * {@link HttpHeadersFilter}, the only request-side header filter of the gateway's Netty routing
 * filter, see {@link WebConfiguration}). The rules:
 * <ul>
 * <li>the credentials ({@code x-api-key}, {@code Authorization}) are removed;</li>
 * <li>every client-sent {@code X-PowerPost-*} header is removed, then {@code X-PowerPost-Account-Id},
 *     {@code X-PowerPost-Key-Id}, {@code X-PowerPost-Scopes} and {@code X-PowerPost-Key-Mode}
 *     ({@code live} or {@code test}) are set from the verified key, and
 *     {@code X-Request-Id} from the request state;</li>
 * <li>{@code X-Workspace-Id} is passed only on routes that checked it, exactly as validated;</li>
 * <li>every header whose name has an underscore is dropped;</li>
 * <li>the headers a {@code Connection} header names (except {@code close} and {@code keep-alive}),
 *     and {@code Connection} itself, are dropped before the gateway's own are set, so a client
 *     cannot strip the identity headers;</li>
 * <li>method-override headers ({@code X-HTTP-Method-Override} and kin) and {@code _method} query
 *     parameters are removed: the method checked is the method sent;</li>
 * <li>the forwarding headers are replaced: client-sent {@code Forwarded} / {@code X-Forwarded-*} /
 *     {@code X-Real-IP} are dropped, then {@code X-Forwarded-For} (the chain only when the peer is a
 *     trusted proxy, then the peer), {@code -Proto} and {@code -Host} are set;</li>
 * <li>trace context ({@code traceparent}, {@code tracestate}, {@code baggage}): with tracing on,
 *     the client's are dropped and the upstream call's own are set ({@link RequestTrace}); with
 *     tracing off, the client's are passed on only when the peer is a trusted proxy, and dropped
 *     otherwise (an unknown client must not choose the backends' trace ids or their sampling);</li>
 * <li>hop-by-hop: {@code Content-Length} is dropped when {@code Transfer-Encoding} is
 *     {@code chunked} ({@link TransferEncodingNormalizationHeadersFilter}), and so are the names of
 *     {@link RemoveHopByHopHeadersFilter} (its configured set); for a gRPC content type
 *     {@code te: trailers} is added ({@link GRPCRequestHeadersFilter}).</li>
 * </ul>
 * The headers are built in one pass over the client's, with the same result as Spring Cloud
 * Gateway's own request header filters run one after the other after the old rewrite of the
 * exchange (the differential tests hold it to that): a header the client sent under exactly the
 * spelling set keeps its place, others go last, as {@link HttpHeaders#set} would have it; a name
 * sent in several spellings ({@code Accept}, {@code accept}) gets all its values once per spelling.
 * <p>
 * The request the stages see keeps the client's headers: read what the upstream gets from here,
 * never from the exchange's request. A request without a key and a route in its state (none is
 * proxied) gets exactly Spring Cloud Gateway's request header filters. Spring Cloud Gateway's
 * filters run as before on responses. This class knows the request header filters it replaces and
 * refuses to start next to any other, so a new one (a Spring Cloud Gateway upgrade, tracing)
 * cannot be silently skipped.
 */
final class UpstreamRequestHeaders implements HttpHeadersFilter {

    /**
     * What the verified request sends as its identity.
     *
     * @param keyMode        the key's mode as sent in {@code X-PowerPost-Key-Mode}: {@code live} or {@code test}
     * @param requestId      the request id, or null to pass the client's {@code X-Request-Id} as it is
     * @param workspaceId    the validated workspace, or null to send none
     * @param nominated      the names the client's {@code Connection} header lists, lower case
     *                       ({@link #nominated(List)})
     * @param forwardedHost  the client's {@code Host}, or null to send no {@code X-Forwarded-Host}
     * @param trace          the request's trace (tracing on): its context is sent, the client's never
     * @param trustedPeer    whether the peer is a trusted proxy: with tracing off, its trace context is passed on
     */
    record Identity(
            String accountId,
            String keyId,
            String scopes,
            String keyMode,
            @Nullable String requestId,
            @Nullable String workspaceId,
            Set<String> nominated,
            String forwardedFor,
            String forwardedProto,
            @Nullable String forwardedHost,
            @Nullable RequestTrace trace,
            boolean trustedPeer) {}

    private static final int KEEP = 0;
    private static final int DROP = 1;
    private static final int WORKSPACE = 2;
    private static final int REQUEST_ID = 3;
    private static final int CONTENT_LENGTH = 4;
    private static final int TRACE = 5;

    /** The W3C trace context and baggage: only ever the gateway's own, or a trusted proxy's. */
    private static final List<String> TRACE_CONTEXT = List.of("traceparent", "tracestate", "baggage");

    /** Never sent upstream; with every {@code X-PowerPost-*}, every {@code X-Forwarded-*} and every name with '_'. */
    private static final List<String> CLIENT_ONLY = List.of(
            HttpHeaders.CONNECTION,
            "X-HTTP-Method-Override",
            "X-HTTP-Method",
            "X-Method-Override",
            "Forwarded",
            "X-Real-IP",
            ApiKeyExtractor.API_KEY_HEADER,
            HttpHeaders.AUTHORIZATION);

    private static final String X_FORWARDED_PREFIX = "X-Forwarded-";
    private static final String X_FORWARDED_FOR = "X-Forwarded-For";
    private static final String X_FORWARDED_PROTO = "X-Forwarded-Proto";
    private static final String X_FORWARDED_HOST = "X-Forwarded-Host";
    private static final String CHUNKED = "chunked";
    private static final String POWERPOST_PREFIX_LOWER_CASE = GatewayHeaders.POWERPOST_PREFIX.toLowerCase(Locale.ROOT);
    private static final String X_FORWARDED_PREFIX_LOWER_CASE = X_FORWARDED_PREFIX.toLowerCase(Locale.ROOT);

    /** Kind of each special ASCII name, compared ignoring case; anything else is {@link #KEEP}. */
    private final Map<String, Integer> kinds = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    /** The same for names with other characters (Netty refuses those): by lower case, as the map copies did. */
    private final Map<String, Integer> lowerCaseKinds = new HashMap<>();

    private final Set<String> hopByHop;
    private final boolean grpc;
    /** The identity headers unless the hop-by-hop set names them (only a configured set can). */
    private final boolean sendWorkspace;

    private final boolean sendAccount;
    private final boolean sendKey;
    private final boolean sendScopes;
    private final boolean sendKeyMode;
    private final boolean sendRequestId;
    /** Spring Cloud Gateway's request header filters, in order: for requests without an {@link Identity}. */
    private final List<HttpHeadersFilter> requestFilters;
    /** This, then Spring Cloud Gateway's response header filters, in order: the routing filter's list. */
    private final List<HttpHeadersFilter> routingFilters;

    /**
     * @param gatewayFilters every {@link HttpHeadersFilter} bean, in order, as Spring Cloud Gateway's
     *                       routing filter would get them
     * @throws IllegalStateException if a request header filter is not one of those this one replaces,
     *                               or they are not in the order this one reproduces
     */
    private final TrustedProxies proxies;

    UpstreamRequestHeaders(List<HttpHeadersFilter> gatewayFilters, TrustedProxies proxies) {
        this.proxies = proxies;
        this.requestFilters =
                gatewayFilters.stream().filter(f -> f.supports(Type.REQUEST)).toList();
        RemoveHopByHopHeadersFilter hopByHopFilter = null;
        int forwarded = -1;
        int xForwarded = -1;
        int transferEncoding = -1;
        int hopByHopIndex = -1;
        int grpcIndex = -1;
        for (int i = 0; i < requestFilters.size(); i++) {
            HttpHeadersFilter filter = requestFilters.get(i);
            Class<?> type = filter.getClass();
            if (type == RemoveForwardedHeadersFilter.class && forwarded < 0) {
                forwarded = i;
            } else if (type == RemoveXForwardedHeadersFilter.class && xForwarded < 0) {
                xForwarded = i;
            } else if (type == TransferEncodingNormalizationHeadersFilter.class && transferEncoding < 0) {
                transferEncoding = i;
            } else if (type == RemoveHopByHopHeadersFilter.class && hopByHopFilter == null) {
                hopByHopFilter = (RemoveHopByHopHeadersFilter) filter;
                hopByHopIndex = i;
            } else if (type == GRPCRequestHeadersFilter.class && grpcIndex < 0) {
                grpcIndex = i;
            } else {
                throw refused("it does not know the request header filter " + type.getName() + " (" + filter + ")");
            }
        }
        if (forwarded < 0 || xForwarded < 0 || transferEncoding < 0 || hopByHopFilter == null) {
            throw refused("Spring Cloud Gateway's RemoveForwardedHeadersFilter, RemoveXForwardedHeadersFilter, "
                    + "TransferEncodingNormalizationHeadersFilter and RemoveHopByHopHeadersFilter must all be present; "
                    + "they are " + requestFilters);
        }
        if (transferEncoding > hopByHopIndex
                || (grpcIndex >= 0 && grpcIndex < hopByHopIndex)
                || hopByHopFilter.getOrder() == Ordered.LOWEST_PRECEDENCE) {
            throw refused(
                    "it reproduces transfer-encoding normalisation, then hop-by-hop removal, then its own headers "
                            + "and gRPC's te, but the filters are ordered " + requestFilters);
        }
        this.grpc = grpcIndex >= 0;

        kinds.put(GatewayHeaders.WORKSPACE_ID, WORKSPACE);
        kinds.put(GatewayHeaders.REQUEST_ID, REQUEST_ID);
        kinds.put(HttpHeaders.CONTENT_LENGTH, CONTENT_LENGTH);
        kinds.forEach((name, kind) -> lowerCaseKinds.put(name.toLowerCase(Locale.ROOT), kind));
        for (String name : TRACE_CONTEXT) {
            kinds.put(name, TRACE);
            lowerCaseKinds.put(name, TRACE);
        }
        for (String name : CLIENT_ONLY) {
            kinds.put(name, DROP);
            lowerCaseKinds.put(name.toLowerCase(Locale.ROOT), DROP);
        }
        // RemoveHopByHopHeadersFilter drops a name when its lower case is in the set.
        this.hopByHop = Set.copyOf(hopByHopFilter.getHeaders());
        for (String name : hopByHop) {
            if (isAsciiLowerCase(name)) {
                kinds.put(name, DROP);
            }
            lowerCaseKinds.put(name, DROP);
        }
        this.sendWorkspace = !droppedAsHopByHop(GatewayHeaders.WORKSPACE_ID);
        this.sendAccount = !droppedAsHopByHop(GatewayHeaders.ACCOUNT_ID);
        this.sendKey = !droppedAsHopByHop(GatewayHeaders.KEY_ID);
        this.sendScopes = !droppedAsHopByHop(GatewayHeaders.SCOPES);
        this.sendKeyMode = !droppedAsHopByHop(GatewayHeaders.KEY_MODE);
        this.sendRequestId = !droppedAsHopByHop(GatewayHeaders.REQUEST_ID);

        List<HttpHeadersFilter> routing = new ArrayList<>();
        routing.add(this);
        for (HttpHeadersFilter filter : gatewayFilters) {
            if (filter.supports(Type.RESPONSE)) {
                routing.add(filter.supports(Type.REQUEST) ? new ResponseOnly(filter) : filter);
            }
        }
        this.routingFilters = List.copyOf(routing);
    }

    private static IllegalStateException refused(String reason) {
        return new IllegalStateException(
                "The gateway builds upstream request headers in one pass (web.UpstreamRequestHeaders) "
                        + "in place of Spring Cloud Gateway's request header filters, but " + reason
                        + ". Teach UpstreamRequestHeaders the change (and test it against the filters it replaces) before starting.");
    }

    private boolean droppedAsHopByHop(String name) {
        return hopByHop.contains(name.toLowerCase(Locale.ROOT));
    }

    private static boolean isAsciiLowerCase(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 0x80 || (c >= 'A' && c <= 'Z')) {
                return false;
            }
        }
        return true;
    }

    /** The header filters to hand the Netty routing filter: this one for requests, Spring Cloud Gateway's for responses. */
    List<HttpHeadersFilter> routingFilters() {
        return routingFilters;
    }

    @Override
    public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
        RequestState state = RequestState.of(exchange);
        KeyRecord key = state.key();
        RouteSpec route = state.route();
        if (key == null || route == null) {
            return HttpHeadersFilter.filter(requestFilters, input, exchange, Type.REQUEST);
        }
        ServerHttpRequest checked = state.checkedRequest();
        return build(
                input,
                identity(
                        checked == null ? exchange.getRequest() : checked,
                        key,
                        route,
                        state.requestId(),
                        state.trace()));
    }

    /** The identity a verified request sends, from its key, its route and the request as the client sent it. */
    Identity identity(
            ServerHttpRequest request,
            KeyRecord key,
            RouteSpec route,
            @Nullable String requestId,
            @Nullable RequestTrace trace) {
        HttpHeaders headers = request.getHeaders();
        URI uri = request.getURI();
        String workspaceId = route.workspaceRequired() ? headers.getFirst(GatewayHeaders.WORKSPACE_ID) : null;
        return new Identity(
                key.accountId(),
                key.id(),
                key.scopesHeader(),
                key.mode().wireName(),
                requestId,
                workspaceId,
                nominated(headers.get(HttpHeaders.CONNECTION)),
                forwardedFor(request),
                uri.getScheme() == null ? "http" : uri.getScheme(),
                headers.getFirst(HttpHeaders.HOST),
                trace,
                proxies.peerIsTrusted(request));
    }

    /** The trusted proxies' chain (only when the peer is one of them), then the peer. */
    private String forwardedFor(ServerHttpRequest request) {
        String peer =
                request.getRemoteAddress() == null || request.getRemoteAddress().getAddress() == null
                        ? "unknown"
                        : request.getRemoteAddress().getAddress().getHostAddress();
        List<String> chain = request.getHeaders().get(X_FORWARDED_FOR);
        if (chain == null || chain.isEmpty() || !proxies.peerIsTrusted(request)) {
            return peer;
        }
        return String.join(", ", chain) + ", " + peer;
    }

    /**
     * The stage {@link Stage#UPSTREAM_REQUEST}: the request target the upstream gets, without any
     * {@code _method} query parameter. And, for Spring Cloud Gateway's {@code GRPCResponseHeadersFilter}
     * (which reads the request's {@code Content-Type}), a {@code Content-Type} the client declared
     * hop-by-hop is hidden, as the upstream request does not carry it either. Every other header
     * rule is applied when the headers are written.
     */
    static final class Target extends RouteCheck {

        @Override
        protected Verdict check(ServerWebExchange exchange, RequestState state, RouteSpec route, KeyRecord key) {
            ServerHttpRequest original = exchange.getRequest();
            state.checked(original);
            URI uri = original.getURI();
            Set<String> nominated = nominated(original.getHeaders().get(HttpHeaders.CONNECTION));
            String rawQuery = uri.getRawQuery();
            String query = rawQuery == null ? null : withoutMethodOverride(rawQuery);
            boolean rewriteQuery = query != null && !query.equals(rawQuery);
            // Spring Cloud Gateway's GRPCResponseHeadersFilter reads the request's Content-Type: hide one the
            // client declared hop-by-hop, as the upstream request does not carry it either.
            boolean hideContentType = nominated.contains("content-type");
            if (!rewriteQuery && !hideContentType) {
                return Verdict.PASS;
            }
            return Verdict.continueWith(exchange.mutate()
                    .request(request -> {
                        if (rewriteQuery) {
                            request.uri(UriComponentsBuilder.fromUri(uri)
                                    .replaceQuery(query.isEmpty() ? null : query)
                                    .build(true)
                                    .toUri());
                        }
                        if (hideContentType) {
                            request.headers(h -> h.remove(HttpHeaders.CONTENT_TYPE));
                        }
                    })
                    .build());
        }

        @Override
        public Stage stage() {
            return Stage.UPSTREAM_REQUEST;
        }

        @Override
        public String toString() {
            return "UpstreamRequestHeaders.Target";
        }
    }

    /** The raw query without any {@code _method} parameter (also when its name is percent-encoded). */
    static String withoutMethodOverride(String rawQuery) {
        if (rawQuery.indexOf('%') < 0 && !rawQuery.toLowerCase(Locale.ROOT).contains("method")) {
            return rawQuery;
        }
        StringBuilder kept = new StringBuilder(rawQuery.length());
        for (String pair : rawQuery.split("&", -1)) {
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            String name;
            try {
                name = URLDecoder.decode(rawName, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                name = rawName;
            }
            if (name.trim().equalsIgnoreCase("_method")) {
                continue;
            }
            if (kept.length() > 0) {
                kept.append('&');
            }
            kept.append(pair);
        }
        return kept.toString();
    }

    @Override
    public boolean supports(Type type) {
        return type == Type.REQUEST;
    }

    /** The upstream's headers for a verified request: one copy of {@code input}. */
    HttpHeaders build(HttpHeaders input, Identity identity) {
        String transferEncoding = input.getFirst(HttpHeaders.TRANSFER_ENCODING);
        boolean dropContentLength = transferEncoding != null
                && !identity.nominated().contains("transfer-encoding")
                && CHUNKED.equalsIgnoreCase(transferEncoding.trim());
        Pass pass = new Pass(identity, dropContentLength);
        // forEach, not headerSet(): a name sent in several spellings is copied as the framework's copy did
        input.forEach(pass);
        HttpHeaders out = pass.out;
        if (identity.workspaceId() != null && !pass.workspaceSet && sendWorkspace) {
            out.set(GatewayHeaders.WORKSPACE_ID, identity.workspaceId());
        }
        if (sendAccount) {
            out.set(GatewayHeaders.ACCOUNT_ID, identity.accountId());
        }
        if (sendKey) {
            out.set(GatewayHeaders.KEY_ID, identity.keyId());
        }
        if (sendScopes) {
            out.set(GatewayHeaders.SCOPES, identity.scopes());
        }
        if (sendKeyMode) {
            out.set(GatewayHeaders.KEY_MODE, identity.keyMode());
        }
        if (identity.requestId() != null && !pass.requestIdSet && sendRequestId) {
            out.set(GatewayHeaders.REQUEST_ID, identity.requestId());
        }
        out.set(X_FORWARDED_FOR, identity.forwardedFor());
        out.set(X_FORWARDED_PROTO, identity.forwardedProto());
        if (identity.forwardedHost() != null) {
            out.set(X_FORWARDED_HOST, identity.forwardedHost());
        }
        if (identity.trace() != null) {
            identity.trace().injectUpstream(out::set);
        }
        if (grpc && StringUtils.startsWithIgnoreCase(out.getFirst(HttpHeaders.CONTENT_TYPE), "application/grpc")) {
            out.add("te", "trailers");
        }
        return out;
    }

    /** One walk over the client's headers, copying those the upstream may get. */
    private final class Pass implements BiConsumer<String, List<String>> {

        final HttpHeaders out = new HttpHeaders();
        private final Identity identity;
        private final boolean dropContentLength;
        private boolean workspaceSeen;
        boolean workspaceSet;
        private boolean requestIdSeen;
        boolean requestIdSet;

        Pass(Identity identity, boolean dropContentLength) {
            this.identity = identity;
            this.dropContentLength = dropContentLength;
        }

        @Override
        public void accept(String name, List<String> values) {
            int kind = kind(name);
            if (kind == DROP
                    || (!identity.nominated().isEmpty()
                            && identity.nominated().contains(name.toLowerCase(Locale.ROOT)))) {
                return;
            }
            switch (kind) {
                case WORKSPACE -> {
                    // the first spelling is the one a copy keeps: set in place only under exactly that spelling
                    if (!workspaceSeen) {
                        workspaceSeen = true;
                        if (identity.workspaceId() != null && name.equals(GatewayHeaders.WORKSPACE_ID)) {
                            out.set(GatewayHeaders.WORKSPACE_ID, identity.workspaceId());
                            workspaceSet = true;
                        }
                    }
                }
                case REQUEST_ID -> {
                    if (identity.requestId() == null) {
                        out.addAll(name, values);
                    } else if (!requestIdSeen) {
                        requestIdSeen = true;
                        if (name.equals(GatewayHeaders.REQUEST_ID)) {
                            out.set(GatewayHeaders.REQUEST_ID, identity.requestId());
                            requestIdSet = true;
                        }
                    }
                }
                case CONTENT_LENGTH -> {
                    if (!dropContentLength) {
                        out.addAll(name, values);
                    }
                }
                case TRACE -> {
                    if (identity.trace() == null && identity.trustedPeer()) {
                        out.addAll(name, values);
                    }
                }
                default -> out.addAll(name, values);
            }
        }
    }

    /** What becomes of a header name: checks without lower-casing it, for the token names Netty accepts. */
    private int kind(String name) {
        boolean ascii = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '_') {
                return DROP;
            }
            if (c >= 0x80) {
                ascii = false;
            }
        }
        if (!ascii) {
            return lowerCaseKind(name);
        }
        if (name.regionMatches(true, 0, GatewayHeaders.POWERPOST_PREFIX, 0, GatewayHeaders.POWERPOST_PREFIX.length())
                || name.regionMatches(true, 0, X_FORWARDED_PREFIX, 0, X_FORWARDED_PREFIX.length())) {
            return DROP;
        }
        Integer kind = kinds.get(name);
        return kind == null ? KEEP : kind;
    }

    /** {@link #kind} for names outside ASCII, compared by lower case exactly as the header map copies did. */
    private int lowerCaseKind(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.startsWith(POWERPOST_PREFIX_LOWER_CASE)
                || lower.startsWith(X_FORWARDED_PREFIX_LOWER_CASE)
                || name.equalsIgnoreCase("Forwarded")) {
            return DROP;
        }
        Integer kind = lowerCaseKinds.get(lower);
        return kind == null ? KEEP : kind;
    }

    /**
     * The names a {@code Connection} header lists, lower case, without {@code close} and
     * {@code keep-alive}: each value split at commas and trimmed, as the gateway has always read it.
     */
    static Set<String> nominated(@Nullable List<String> connection) {
        if (connection == null) {
            return Set.of();
        }
        Set<String> names = null;
        for (String value : connection) {
            int start = 0;
            while (true) {
                int comma = value.indexOf(',', start);
                int end = comma < 0 ? value.length() : comma;
                int from = start;
                int to = end;
                while (from < to && value.charAt(from) <= ' ') {
                    from++;
                }
                while (to > from && value.charAt(to - 1) <= ' ') {
                    to--;
                }
                int length = to - from;
                if (length > 0
                        && !(length == 5 && value.regionMatches(true, from, "close", 0, 5))
                        && !(length == 10 && value.regionMatches(true, from, "keep-alive", 0, 10))) {
                    if (names == null) {
                        names = new HashSet<>(4);
                    }
                    names.add(value.substring(from, to).toLowerCase(Locale.ROOT));
                }
                if (comma < 0) {
                    break;
                }
                start = comma + 1;
            }
        }
        return names == null ? Set.of() : names;
    }

    @Override
    public String toString() {
        return "UpstreamRequestHeaders[hopByHop=" + hopByHop + ", grpc=" + grpc + "]";
    }

    /** A filter of both directions, applied to responses only: requests are this class's. */
    record ResponseOnly(HttpHeadersFilter delegate) implements HttpHeadersFilter {

        @Override
        public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
            return delegate.filter(input, exchange);
        }

        @Override
        public boolean supports(Type type) {
            return type == Type.RESPONSE;
        }
    }
}
