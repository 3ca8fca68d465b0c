package ai.powerpost.gateway.auth;

import java.util.List;
import org.springframework.http.HttpHeaders;

/**
 * Finds the API key of a request: {@code x-api-key: <key>} or {@code Authorization: Bearer <key>}
 * (scheme case-insensitive). Never resolves an ambiguity by picking one: a repeated header, an
 * {@code Authorization} with another scheme, or both headers with different keys is invalid.
 * A pure function of the headers, so it is unit-tested on its own.
 */
public final class ApiKeyExtractor {

    public static final String API_KEY_HEADER = "x-api-key";
    private static final String BEARER = "Bearer ";

    private ApiKeyExtractor() {}

    /** The outcome of looking for a key. */
    public sealed interface Result {}

    /** A well-formed key was found. */
    public record Found(String key) implements Result {}

    /** No credentials at all. */
    public record Missing() implements Result {}

    /** Credentials that cannot be a key (malformed, ambiguous, wrong scheme). */
    public record Invalid() implements Result {}

    private static final Result MISSING = new Missing();
    private static final Result INVALID = new Invalid();

    public static Result extract(HttpHeaders headers) {
        List<String> apiKeys = headers.get(API_KEY_HEADER);
        List<String> authorizations = headers.get(HttpHeaders.AUTHORIZATION);
        if ((apiKeys != null && apiKeys.size() > 1) || (authorizations != null && authorizations.size() > 1)) {
            return INVALID;
        }
        String fromHeader =
                apiKeys == null || apiKeys.isEmpty() ? null : apiKeys.get(0).strip();
        String fromBearer = null;
        if (authorizations != null && !authorizations.isEmpty()) {
            String value = authorizations.get(0).strip();
            if (value.length() < BEARER.length() || !value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                return value.isEmpty() && fromHeader == null ? MISSING : INVALID;
            }
            fromBearer = value.substring(BEARER.length()).strip();
        }
        if (fromHeader != null && fromBearer != null && !fromHeader.equals(fromBearer)) {
            return INVALID;
        }
        String key = fromHeader != null ? fromHeader : fromBearer;
        if (key == null || key.isEmpty()) {
            return MISSING;
        }
        return ApiKeys.isWellFormed(key) ? new Found(key) : INVALID;
    }
}
