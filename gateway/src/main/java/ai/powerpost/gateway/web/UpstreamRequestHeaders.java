package ai.powerpost.gateway.web;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;

import ai.powerpost.gateway.auth.ApiKeyExtractor;
import org.jspecify.annotations.Nullable;
import org.springframework.cloud.gateway.filter.headers.GRPCRequestHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveForwardedHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveHopByHopHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveXForwardedHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.TransferEncodingNormalizationHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.util.StringUtils;
import org.springframework.web.server.ServerWebExchange;

/**
 * The headers the upstream gets, built in one pass over the client's: the only request-side header
 * filter of the gateway's Netty routing filter (see {@link WebConfiguration}). It does, in one copy,
 * what {@link IdentityHeadersFilter} decided and what Spring Cloud Gateway's own request header
 * filters do, with the same result as running them one after the other:
 * <ol>
 * <li>drops the headers the client's {@code Connection} header names (except {@code close} and
 *     {@code keep-alive}), and {@code Connection} itself;</li>
 * <li>drops every name with an underscore, the method overrides, the credentials
 *     ({@code x-api-key}, {@code Authorization}), every {@code X-PowerPost-*}, {@code Forwarded},
 *     {@code X-Real-IP} and every {@code X-Forwarded-*};</li>
 * <li>drops {@code Content-Length} when {@code Transfer-Encoding} is {@code chunked}
 *     ({@link TransferEncodingNormalizationHeadersFilter}), and the hop-by-hop names of
 *     {@link RemoveHopByHopHeadersFilter} (its configured set);</li>
 * <li>sets {@code X-Workspace-Id} (only on routes that checked it, exactly as validated, else drops
 *     it), {@code X-PowerPost-Account-Id}, {@code -Key-Id}, {@code -Scopes}, {@code X-Request-Id};
 *     a header the client sent under exactly that spelling keeps its place, others go last, as
 *     {@link HttpHeaders#set} would have it;</li>
 * <li>then {@code X-Forwarded-For}, {@code -Proto}, {@code -Host}, and, for a gRPC content type,
 *     {@code te: trailers} ({@link GRPCRequestHeadersFilter}).</li>
 * </ol>
 * A name the client sent in several spellings ({@code Accept}, {@code accept}) gets all its values
 * once per spelling: that is what copying Netty's request headers into Spring's
 * ({@code exchange.mutate()}, which the gateway used to do on every request) gives, and the upstream
 * gets exactly what it got then.
 * <p>
 * Requests {@link IdentityHeadersFilter} did not decide on (none are proxied today) get exactly
 * Spring Cloud Gateway's request header filters. Spring Cloud Gateway's filters run as before on
 * responses. It knows the request header filters it replaces and refuses to start next to any
 * other, so a new one (a Spring Cloud Gateway upgrade, tracing) cannot be silently skipped.
 */
final class UpstreamRequestHeaders implements HttpHeadersFilter {

    /** The exchange attribute holding {@link IdentityHeadersFilter}'s {@link Identity}. */
    static final String ATTRIBUTE = UpstreamRequestHeaders.class.getName() + ".identity";

    /**
     * What {@link IdentityHeadersFilter} decided for one request.
     *
     * @param requestId      the request id, or null to pass the client's {@code X-Request-Id} as it is
     * @param workspaceId    the validated workspace, or null to send none
     * @param nominated      the names the client's {@code Connection} header lists, lower case
     *                       ({@link #nominated(List)})
     * @param forwardedHost  the client's {@code Host}, or null to send no {@code X-Forwarded-Host}
     */
    record Identity(String accountId, String keyId, String scopes, @Nullable String requestId,
                    @Nullable String workspaceId, Set<String> nominated, String forwardedFor, String forwardedProto,
                    @Nullable String forwardedHost) {
    }

    private static final int KEEP = 0;
    private static final int DROP = 1;
    private static final int WORKSPACE = 2;
    private static final int REQUEST_ID = 3;
    private static final int CONTENT_LENGTH = 4;

    /** Never sent upstream; with every {@code X-PowerPost-*}, every {@code X-Forwarded-*} and every name with '_'. */
    private static final List<String> CLIENT_ONLY = List.of(
            HttpHeaders.CONNECTION,
            "X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override",
            "Forwarded", "X-Real-IP",
            ApiKeyExtractor.API_KEY_HEADER, HttpHeaders.AUTHORIZATION);
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
    UpstreamRequestHeaders(List<HttpHeadersFilter> gatewayFilters) {
        this.requestFilters = gatewayFilters.stream().filter(f -> f.supports(Type.REQUEST)).toList();
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
        if (transferEncoding > hopByHopIndex || (grpcIndex >= 0 && grpcIndex < hopByHopIndex)
                || hopByHopFilter.getOrder() == Ordered.LOWEST_PRECEDENCE) {
            throw refused("it reproduces transfer-encoding normalisation, then hop-by-hop removal, then its own headers "
                    + "and gRPC's te, but the filters are ordered " + requestFilters);
        }
        this.grpc = grpcIndex >= 0;

        kinds.put(GatewayHeaders.WORKSPACE_ID, WORKSPACE);
        kinds.put(GatewayHeaders.REQUEST_ID, REQUEST_ID);
        kinds.put(HttpHeaders.CONTENT_LENGTH, CONTENT_LENGTH);
        kinds.forEach((name, kind) -> lowerCaseKinds.put(name.toLowerCase(Locale.ROOT), kind));
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
        return new IllegalStateException("The gateway builds upstream request headers in one pass (web.UpstreamRequestHeaders) "
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
        Identity identity = exchange.getAttribute(ATTRIBUTE);
        if (identity == null) {
            return HttpHeadersFilter.filter(requestFilters, input, exchange, Type.REQUEST);
        }
        return build(input, identity);
    }

    @Override
    public boolean supports(Type type) {
        return type == Type.REQUEST;
    }

    /** The upstream's headers for a request {@link IdentityHeadersFilter} decided on: one copy of {@code input}. */
    HttpHeaders build(HttpHeaders input, Identity identity) {
        String transferEncoding = input.getFirst(HttpHeaders.TRANSFER_ENCODING);
        boolean dropContentLength = transferEncoding != null && !identity.nominated().contains("transfer-encoding")
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
        if (identity.requestId() != null && !pass.requestIdSet && sendRequestId) {
            out.set(GatewayHeaders.REQUEST_ID, identity.requestId());
        }
        out.set(X_FORWARDED_FOR, identity.forwardedFor());
        out.set(X_FORWARDED_PROTO, identity.forwardedProto());
        if (identity.forwardedHost() != null) {
            out.set(X_FORWARDED_HOST, identity.forwardedHost());
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
            if (kind == DROP || (!identity.nominated().isEmpty()
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
        if (lower.startsWith(POWERPOST_PREFIX_LOWER_CASE) || lower.startsWith(X_FORWARDED_PREFIX_LOWER_CASE)
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
                if (length > 0 && !(length == 5 && value.regionMatches(true, from, "close", 0, 5))
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
