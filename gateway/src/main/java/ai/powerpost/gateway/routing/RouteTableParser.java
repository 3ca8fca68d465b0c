package ai.powerpost.gateway.routing;

import ai.powerpost.gateway.auth.Scope;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.unit.DataSize;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads routes.yml into a {@link RouteTable}, or fails with one message that names the file and
 * the offending entry. The file holds plain values only: it is read with SnakeYAML's safe
 * constructor (no type tags, no objects) and nothing in it is ever evaluated as an expression.
 *
 * <p>Checked: the top level has only {@code upstreams} and {@code routes}; every upstream has an
 * absolute http(s) URI without path, query or user info, and so has its {@code sandbox-uri} if it
 * declares one (which must differ from its {@code uri}); every route has a unique id, known
 * methods, a well-formed path template, exactly one of the 14 scopes, a known upstream, and no
 * unknown field; no two routes share a method on paths of the same shape.
 */
public final class RouteTableParser {

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    private static final Set<String> TOP_LEVEL_FIELDS = Set.of("upstreams", "routes", "rate-limits");
    private static final Set<String> RESILIENCE_FIELDS =
            Set.of("connect-timeout", "response-timeout", "retries", "circuit-breaker");
    private static final Set<String> UPSTREAM_FIELDS = union(Set.of("uri", "sandbox-uri"), RESILIENCE_FIELDS);
    private static final Set<String> ROUTE_FIELDS = union(
            Set.of("id", "method", "methods", "path", "scope", "workspace", "upstream", "rate-limit", "max-body"),
            RESILIENCE_FIELDS);
    private static final Set<String> BREAKER_FIELDS = Set.of("failure-rate", "minimum-calls", "open-for");
    private static final Set<String> RATE_LIMIT_FIELDS = Set.of("requests", "per");
    /** The rate-limit class a route gets when it names none, if routes.yml declares it. */
    static final String DEFAULT_RATE_LIMIT = "default";
    /** The largest request body of a route that sets no {@code max-body}. */
    static final DataSize DEFAULT_MAX_BODY = DataSize.ofMegabytes(1);

    private static final DataSize MAX_MAX_BODY = DataSize.ofGigabytes(5);

    private final String source;
    private final UnaryOperator<@Nullable String> environment;

    /**
     * @param source      how to name the file in messages (its path)
     * @param environment looks up {@code GATEWAY_UPSTREAM_<NAME>} overrides; returns null when unset
     */
    public RouteTableParser(String source, UnaryOperator<@Nullable String> environment) {
        this.source = source;
        this.environment = environment;
    }

    /** Reads and validates the file at {@code file}. */
    public static RouteTable load(Path file, UnaryOperator<@Nullable String> environment) {
        Path absolute = file.toAbsolutePath().normalize();
        try (InputStream in = Files.newInputStream(absolute)) {
            return new RouteTableParser(absolute.toString(), environment).parse(in);
        } catch (IOException e) {
            throw new RouteTableException(
                    "routes file " + absolute + " cannot be read ("
                            + (e instanceof java.nio.file.NoSuchFileException
                                    ? "no such file"
                                    : e.getClass().getSimpleName())
                            + ")",
                    e);
        }
    }

    public RouteTable parse(InputStream yaml) {
        Object document;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(10);
            document = new Yaml(new SafeConstructor(options)).load(yaml);
        } catch (RuntimeException e) {
            throw fail("is not valid YAML: " + e.getMessage());
        }
        Map<String, Object> top = map(document, "the top level");
        unknownFields(top, TOP_LEVEL_FIELDS, "the top level");
        Map<String, RateLimitClass> rateLimits =
                top.containsKey("rate-limits") ? rateLimits(map(top.get("rate-limits"), "'rate-limits'")) : Map.of();
        Map<String, Upstream> upstreams = upstreams(map(top.get("upstreams"), "'upstreams'"));
        List<RouteSpec> routes = routes(top.get("routes"), upstreams, rateLimits);
        return new RouteTable(upstreams, routes, rateLimits);
    }

    private Map<String, Upstream> upstreams(Map<String, Object> entries) {
        if (entries.isEmpty()) {
            throw fail("declares no upstream");
        }
        Map<String, Upstream> upstreams = new LinkedHashMap<>();
        entries.forEach((name, value) -> {
            String where = "upstream '" + name + "'";
            if (!name.matches("[a-z][a-z0-9-]{0,62}")) {
                throw fail(where + ": name must be lower-case [a-z0-9-], but was '" + name + "'");
            }
            Map<String, Object> fields = map(value, where);
            unknownFields(fields, UPSTREAM_FIELDS, where);
            URI uri = uri(fields, "uri", Upstream.overrideVariable(name), where);
            URI sandbox = fields.containsKey("sandbox-uri")
                            || present(environment.apply(Upstream.sandboxOverrideVariable(name)))
                    ? uri(fields, "sandbox-uri", Upstream.sandboxOverrideVariable(name), where)
                    : null;
            if (uri.equals(sandbox)) {
                // test keys must never reach the live upstream: a sandbox that is the live URI would send them there
                throw fail(where + ": sandbox-uri must differ from uri, but both were '" + uri + "'");
            }
            upstreams.put(name, new Upstream(name, uri, sandbox, resilience(fields, Resilience.DEFAULTS, where)));
        });
        for (String name : upstreams.keySet()) {
            if (name.endsWith("-sandbox") && upstreams.containsKey(name.substring(0, name.length() - 8))) {
                throw fail("upstream '" + name + "': its " + Upstream.overrideVariable(name)
                        + " would also be the sandbox variable of upstream '" + name.substring(0, name.length() - 8)
                        + "'; rename one of them");
            }
        }
        return upstreams;
    }

    /**
     * The URI {@code field} of an upstream: the environment's {@code variable} when set (not blank),
     * else the file's; validated either way, the message naming where it came from.
     */
    private URI uri(Map<String, Object> fields, String field, String variable, String where) {
        String override = environment.apply(variable);
        if (present(override)) {
            return upstreamUri(override.trim(), field, where + " (from " + variable + ")");
        }
        return upstreamUri(string(fields, field, where), field, where);
    }

    private static boolean present(@Nullable String value) {
        return value != null && !value.isBlank();
    }

    private URI upstreamUri(String value, String field, String where) {
        try {
            URI uri = new URI(value);
            if (uri.getHost() == null && uri.getAuthority() != null) {
                throw fail(where + ": " + field + " host '" + uri.getAuthority() + "' is not a valid host name "
                        + "(letters, digits, '-' and '.'; no '_')");
            }
            if (uri.getPort() == 0 || uri.getPort() > 65535) {
                throw fail(where + ": " + field + " port must be 1-65535, but was " + uri.getPort());
            }
            boolean plain = uri.getRawPath() == null || uri.getRawPath().isEmpty() || "/".equals(uri.getRawPath());
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    || uri.getHost() == null
                    || !plain
                    || uri.getRawQuery() != null
                    || uri.getRawUserInfo() != null
                    || uri.getRawFragment() != null) {
                throw fail(where + ": " + field
                        + " must be http(s)://host[:port] with no path, query or user info, but was '" + value + "'");
            }
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), null, null, null);
        } catch (URISyntaxException e) {
            throw fail(where + ": " + field + " is not a URI: '" + value + "'");
        }
    }

    private Map<String, RateLimitClass> rateLimits(Map<String, Object> entries) {
        Map<String, RateLimitClass> classes = new LinkedHashMap<>();
        entries.forEach((name, value) -> {
            String where = "rate-limit class '" + name + "'";
            if (!name.matches("[a-z][a-z0-9-]{0,30}")) {
                throw fail(where + ": name must be lower-case [a-z0-9-]");
            }
            Map<String, Object> fields = map(value, where);
            unknownFields(fields, RATE_LIMIT_FIELDS, where);
            Object requests = fields.get("requests");
            if (!(requests instanceof Integer count) || count < 1) {
                throw fail(where + ": 'requests' must be a positive whole number, but was '" + requests + "'");
            }
            Duration per = duration(fields, "per", null, where);
            if (per == null || per.compareTo(Duration.ofSeconds(1)) < 0 || per.compareTo(Duration.ofDays(1)) > 0) {
                throw fail(where + ": 'per' must be a duration from 1s to 1d");
            }
            classes.put(name, new RateLimitClass(name, count, per));
        });
        return classes;
    }

    private Resilience resilience(Map<String, Object> fields, Resilience inherited, String where) {
        Duration connect = duration(fields, "connect-timeout", inherited.connectTimeout(), where);
        Duration response = duration(fields, "response-timeout", inherited.responseTimeout(), where);
        if (connect.isZero() || connect.isNegative() || response.isZero() || response.isNegative()) {
            throw fail(where + ": timeouts must be positive");
        }
        Object retries = fields.getOrDefault("retries", inherited.retries());
        if (!(retries instanceof Integer count) || count < 0 || count > 5) {
            throw fail(where + ": 'retries' must be 0 to 5, but was '" + retries + "'");
        }
        Resilience.Breaker breaker = inherited.breaker();
        if (fields.containsKey("circuit-breaker")) {
            String at = where + " circuit-breaker";
            Map<String, Object> cb = map(fields.get("circuit-breaker"), at);
            unknownFields(cb, BREAKER_FIELDS, at);
            int rate = whole(cb, "failure-rate", breaker.failureRatePercent(), 1, 100, at);
            int calls = whole(cb, "minimum-calls", breaker.minimumCalls(), 1, 10_000, at);
            Duration openFor = duration(cb, "open-for", breaker.openFor(), at);
            breaker = new Resilience.Breaker(rate, calls, openFor);
        }
        return new Resilience(connect, response, count, breaker);
    }

    private int whole(Map<String, Object> fields, String field, int fallback, int min, int max, String where) {
        Object value = fields.getOrDefault(field, fallback);
        if (!(value instanceof Integer number) || number < min || number > max) {
            throw fail(where + ": '" + field + "' must be " + min + " to " + max + ", but was '" + value + "'");
        }
        return number;
    }

    private Duration duration(Map<String, Object> fields, String field, @Nullable Duration fallback, String where) {
        Object value = fields.get(field);
        if (value == null) {
            return fallback;
        }
        try {
            return DurationStyle.SIMPLE.parse(String.valueOf(value));
        } catch (IllegalArgumentException e) {
            throw fail(
                    where + ": '" + field + "' must be a duration such as 500ms, 30s or 2m, but was '" + value + "'");
        }
    }

    private long maxBody(Map<String, Object> fields, String where) {
        Object value = fields.get("max-body");
        if (value == null) {
            return DEFAULT_MAX_BODY.toBytes();
        }
        try {
            DataSize size = DataSize.parse(String.valueOf(value));
            if (size.isNegative() || size.compareTo(MAX_MAX_BODY) > 0) {
                throw new IllegalArgumentException();
            }
            return size.toBytes();
        } catch (IllegalArgumentException e) {
            throw fail(where + ": 'max-body' must be a size such as 64KB, 10MB or 500MB (at most 5GB), but was '"
                    + value + "'");
        }
    }

    private List<RouteSpec> routes(
            @Nullable Object value, Map<String, Upstream> upstreams, Map<String, RateLimitClass> rateLimits) {
        if (!(value instanceof List<?> entries) || entries.isEmpty()) {
            throw fail("'routes' must be a non-empty list");
        }
        List<RouteSpec> routes = new ArrayList<>();
        Map<String, String> ids = new HashMap<>();
        Map<String, String> claimed = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            RouteSpec route = route(entries.get(i), i, upstreams, rateLimits);
            if (ids.put(route.id(), route.id()) != null) {
                throw fail("route '" + route.id() + "': duplicate id");
            }
            for (String method : route.methods()) {
                String other = claimed.putIfAbsent(method + " " + route.path().shape(), route.id());
                if (other != null) {
                    throw fail("route '" + route.id() + "': " + method + " " + route.path()
                            + " matches the same requests as route '" + other + "'");
                }
            }
            routes.add(route);
        }
        return routes;
    }

    private RouteSpec route(
            Object value, int index, Map<String, Upstream> upstreams, Map<String, RateLimitClass> rateLimits) {
        Map<String, Object> fields = map(value, "route #" + (index + 1));
        String id = string(fields, "id", "route #" + (index + 1));
        String where = "route '" + id + "'";
        if (!id.matches("[a-z0-9][a-z0-9._-]{0,62}")) {
            throw fail(where + ": id must be lower-case [a-z0-9._-], at most 63 characters");
        }
        unknownFields(fields, ROUTE_FIELDS, where);
        PathTemplate path;
        try {
            path = PathTemplate.parse(string(fields, "path", where));
        } catch (IllegalArgumentException e) {
            throw fail(where + ": " + e.getMessage());
        }
        String scopeName = string(fields, "scope", where);
        Scope scope = Scope.fromWireName(scopeName);
        if (scope == null) {
            throw fail(where + ": unknown scope '" + scopeName + "' (known: " + Scope.join(Scope.FULL_ACCESS) + ")");
        }
        String upstreamName = string(fields, "upstream", where);
        Upstream upstream = upstreams.get(upstreamName);
        if (upstream == null) {
            throw fail(where + ": unknown upstream '" + upstreamName + "' (declared: " + upstreams.keySet() + ")");
        }
        RateLimitClass rateLimit = rateLimits.get(DEFAULT_RATE_LIMIT);
        if (fields.containsKey("rate-limit")) {
            Object name = fields.get("rate-limit");
            rateLimit = "none".equals(name) ? null : rateLimits.get(String.valueOf(name));
            if (rateLimit == null && !"none".equals(name)) {
                throw fail(where + ": unknown rate-limit class '" + name + "' (declared: " + rateLimits.keySet()
                        + ", or none)");
            }
        }
        Resilience resilience = resilience(fields, upstream.resilience(), where);
        String breakerName = resilience.breaker().equals(upstream.resilience().breaker())
                ? upstream.name()
                : upstream.name() + ":" + id;
        return new RouteSpec(
                id,
                methods(fields, where),
                path,
                scope,
                workspace(fields, where),
                upstream,
                rateLimit,
                maxBody(fields, where),
                resilience,
                breakerName);
    }

    private Set<String> methods(Map<String, Object> fields, String where) {
        Object single = fields.get("method");
        Object many = fields.get("methods");
        if ((single == null) == (many == null)) {
            throw fail(where + ": give exactly one of 'method' or 'methods'");
        }
        List<?> names = single != null ? List.of(single) : many instanceof List<?> list ? list : List.of();
        if (names.isEmpty()) {
            throw fail(where + ": 'methods' must be a non-empty list");
        }
        Set<String> methods = new LinkedHashSet<>();
        for (Object name : names) {
            String method = String.valueOf(name);
            if (!METHODS.contains(method) || !methods.add(method)) {
                throw fail(where + ": method must be one of " + METHODS + " and listed once, but was '" + method + "'");
            }
        }
        return Set.copyOf(methods);
    }

    private boolean workspace(Map<String, Object> fields, String where) {
        Object value = fields.getOrDefault("workspace", Boolean.TRUE);
        if (!(value instanceof Boolean required)) {
            throw fail(where + ": 'workspace' must be true or false, but was '" + value + "'");
        }
        return required;
    }

    private String string(Map<String, Object> fields, String field, String where) {
        Object value = fields.get(field);
        if (!(value instanceof String text) || text.isBlank()) {
            throw fail(where + ": '" + field + "' is required and must be a string"
                    + (value == null ? "" : ", but was '" + value + "'"));
        }
        return text.trim();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> map(@Nullable Object value, String where) {
        if (!(value instanceof Map<?, ?> map)) {
            throw fail(where + " must be a mapping");
        }
        for (Object key : map.keySet()) {
            if (!(key instanceof String)) {
                throw fail(where + ": key '" + key + "' must be a string");
            }
        }
        return (Map<String, Object>) map;
    }

    private void unknownFields(Map<String, Object> fields, Set<String> known, String where) {
        for (String field : fields.keySet()) {
            if (!known.contains(field)) {
                throw fail(where + ": unknown field '" + field + "' (known: " + new java.util.TreeSet<>(known) + ")");
            }
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    private RouteTableException fail(String problem) {
        return new RouteTableException("routes file " + source + ": " + problem);
    }
}
