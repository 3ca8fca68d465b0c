package ai.powerpost.gateway.routing;

import ai.powerpost.gateway.errors.ApiError;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The route table: upstreams and routes from routes.yml, validated, immutable, with one matcher.
 *
 * <p>Matching walks a segment trie. At each segment a literal beats a variable, and the walk
 * backtracks to the variable only when the literal branch leads to no declared path; so
 * {@code /posts/{id}/publish} and {@code /posts/{id}} never compete, and {@code /a/b/{x}} wins
 * over {@code /a/{y}/c}. The path is resolved first, then the method: a declared path with an
 * undeclared method is a 405 that lists the methods of that path.
 */
public final class RouteTable {

    private final Map<String, Upstream> upstreams;
    private final List<RouteSpec> routes;
    private final Map<String, RateLimitClass> rateLimits;
    private final Node root = new Node();

    RouteTable(Map<String, Upstream> upstreams, List<RouteSpec> routes, Map<String, RateLimitClass> rateLimits) {
        this.upstreams = Map.copyOf(upstreams);
        this.routes = List.copyOf(routes);
        this.rateLimits = Map.copyOf(rateLimits);
        for (RouteSpec route : routes) {
            Node node = root;
            for (int i = 0; i < route.path().segments().size(); i++) {
                node = route.path().isVariable(i)
                        ? node.variableChild()
                        : node.literalChild(route.path().segments().get(i));
            }
            for (String method : route.methods()) {
                node.byMethod.put(method, route);
            }
            node.allow = String.join(", ", new java.util.TreeSet<>(node.byMethod.keySet()));
        }
    }

    public Map<String, Upstream> upstreams() {
        return upstreams;
    }

    public List<RouteSpec> routes() {
        return routes;
    }

    public Map<String, RateLimitClass> rateLimits() {
        return rateLimits;
    }

    /** Matches a request; {@code rawPath} is the path exactly as sent (still encoded). */
    public RouteMatch match(String method, String rawPath) {
        if (!CanonicalPath.isCanonical(rawPath)) {
            return new RouteMatch.Rejected(ApiError.MALFORMED_PATH);
        }
        if (rawPath.length() == 1) {
            // The root: canonical, and never declared (a template names at least one segment). Said
            // here, not left to the walk, which would read it as one empty segment and could give
            // it to a route whose first segment is a variable.
            return new RouteMatch.Rejected(ApiError.NOT_FOUND);
        }
        Node node = find(root, rawPath, 1);
        if (node == null) {
            return new RouteMatch.Rejected(ApiError.NOT_FOUND);
        }
        RouteSpec route = node.byMethod.get(method);
        if (route == null) {
            return new RouteMatch.Rejected(ApiError.methodNotAllowed(node.allow));
        }
        return new RouteMatch.Found(route);
    }

    private static @Nullable Node find(Node node, String path, int from) {
        if (from > path.length()) {
            return node.byMethod.isEmpty() ? null : node;
        }
        int end = path.indexOf('/', from);
        if (end < 0) {
            end = path.length();
        }
        if (node.literals != null) {
            Node literal = node.literals.get(path.substring(from, end));
            if (literal != null) {
                Node found = find(literal, path, end + 1);
                if (found != null) {
                    return found;
                }
            }
        }
        return node.variable == null ? null : find(node.variable, path, end + 1);
    }

    private static final class Node {
        private @Nullable Map<String, Node> literals;
        private @Nullable Node variable;
        private final Map<String, RouteSpec> byMethod = new HashMap<>(4);
        private String allow = "";

        Node literalChild(String segment) {
            if (literals == null) {
                literals = new HashMap<>();
            }
            return literals.computeIfAbsent(segment, s -> new Node());
        }

        Node variableChild() {
            if (variable == null) {
                variable = new Node();
            }
            return variable;
        }
    }

    @Override
    public String toString() {
        Map<String, String> summary = new LinkedHashMap<>();
        new TreeMap<>(upstreams)
                .forEach((name, u) -> summary.put(
                        name,
                        u.hasSandbox()
                                ? u.uri() + " (sandbox " + u.sandboxUri() + ")"
                                : u.uri().toString()));
        return "RouteTable[" + routes.size() + " routes, upstreams=" + summary + "]";
    }
}
