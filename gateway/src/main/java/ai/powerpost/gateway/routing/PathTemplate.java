package ai.powerpost.gateway.routing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A route's path template, such as {@code /api/v1/posts/{id}/publish}: literal segments and
 * whole-segment variables. Matching is case-sensitive and works on canonical paths only (see
 * {@link CanonicalPath}).
 *
 * @param source   the template as written in routes.yml
 * @param segments each segment; a variable is stored as {@code {}}
 */
public record PathTemplate(String source, List<String> segments) {

    /** What a variable segment is stored as in {@link #shape()}. */
    static final String VARIABLE = "{}";

    /**
     * Parses a template, or throws {@link IllegalArgumentException} saying what is wrong.
     */
    public static PathTemplate parse(String template) {
        if (!template.startsWith("/") || template.length() < 2) {
            throw new IllegalArgumentException(
                    "path must start with '/' and name at least one segment, but was '" + template + "'");
        }
        List<String> segments = new ArrayList<>();
        Set<String> variables = new HashSet<>();
        for (String segment : template.substring(1).split("/", -1)) {
            if (segment.startsWith("{") && segment.endsWith("}") && segment.length() > 2) {
                String name = segment.substring(1, segment.length() - 1);
                if (!CanonicalPath.isSegment(name) || !variables.add(name)) {
                    throw new IllegalArgumentException(
                            "bad or repeated variable '" + segment + "' in '" + template + "'");
                }
                segments.add(VARIABLE);
            } else if (CanonicalPath.isSegment(segment)) {
                segments.add(segment);
            } else {
                throw new IllegalArgumentException("bad segment '" + segment + "' in '" + template
                        + "' (segments are [A-Za-z0-9._~-] or a {variable}, never empty, '.' or '..')");
            }
        }
        return new PathTemplate(template, List.copyOf(segments));
    }

    /** The template with every variable written as {@code {}}: two templates of one shape match the same paths. */
    public String shape() {
        return "/" + String.join("/", segments);
    }

    boolean isVariable(int index) {
        return VARIABLE.equals(segments.get(index));
    }

    @Override
    public String toString() {
        return source;
    }
}
