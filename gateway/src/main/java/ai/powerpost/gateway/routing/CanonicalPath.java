package ai.powerpost.gateway.routing;

/**
 * The one place that decides whether a request path is canonical. A path is canonical when it is
 * the root {@code /} alone, or when it starts with '/' and every segment is non-empty, is neither
 * '.' nor '..', and holds only RFC 3986 unreserved characters ({@code [A-Za-z0-9._~-]}). Anything
 * else (percent-encoding, matrix parameters, backslashes, empty segments, a trailing slash,
 * control characters) could be read differently by the upstream, so it is refused before routing:
 * the path matched is then exactly the path the upstream receives.
 *
 * <p>The root has no segment, so it is read the same way everywhere; it is well-formed, and no
 * route can declare it (a route's template names at least one segment, {@link PathTemplate}), so
 * it is a 404, never a 400: load balancers and scanners probe it all day.
 */
public final class CanonicalPath {

    private CanonicalPath() {}

    /** Whether {@code rawPath} (as sent, still percent-encoded) is canonical. */
    public static boolean isCanonical(String rawPath) {
        int length = rawPath.length();
        if (length == 0 || rawPath.charAt(0) != '/') {
            return false;
        }
        if (length == 1) {
            return true; // the root
        }
        int segmentStart = 1;
        for (int i = 1; i <= length; i++) {
            if (i == length || rawPath.charAt(i) == '/') {
                if (!isSegment(rawPath, segmentStart, i)) {
                    return false;
                }
                segmentStart = i + 1;
            }
        }
        return true;
    }

    static boolean isSegment(String segment) {
        return isSegment(segment, 0, segment.length());
    }

    private static boolean isSegment(String s, int from, int to) {
        int length = to - from;
        if (length == 0 || (s.charAt(from) == '.' && (length == 1 || (length == 2 && s.charAt(from + 1) == '.')))) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!isUnreserved(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isUnreserved(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '-'
                || c == '.'
                || c == '_'
                || c == '~';
    }
}
