package ai.powerpost.gateway.http;

import ai.powerpost.gateway.errors.ApiError;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Whether a request head, as Netty decoded it, can be served at all (RFC 9112). Netty already
 * refuses what it cannot decode (a line or header block over the limits, a malformed request line,
 * a signed or listed {@code Content-Length}, {@code Content-Length} beside
 * {@code Transfer-Encoding: chunked}); what it reads loosely is refused here:
 * <ul>
 * <li>{@code Transfer-Encoding} other than exactly one {@code chunked} (an unknown coding, a list,
 *     {@code identity}, the header twice): Netty treats {@code xchunked} as "no body", and the body
 *     bytes would then be read as the next request (request smuggling);</li>
 * <li>{@code Content-Length} that is not one plain decimal number, or beside any
 *     {@code Transfer-Encoding};</li>
 * <li>a request target that {@link java.net.URI} cannot parse (Spring's adapter would answer it
 *     with an empty 400), or an origin-form target with a character RFC 3986 does not allow;</li>
 * <li>a protocol version other than HTTP/1.1 and HTTP/1.0 (an HTTP/2 prior-knowledge preface
 *     included: the public port speaks HTTP/1.1 only).</li>
 * </ul>
 * Obsolete line folding is unfolded by Netty into one header value (RFC 9112 §5.2 allows it).
 */
final class RequestHead {

    private static final String CHUNKED = "chunked";

    private RequestHead() {}

    /** The error {@code request} is refused with, or null when it can be served. */
    static @Nullable ApiError refusal(HttpRequest request) {
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            return decodingFailure(decoded.cause());
        }
        HttpVersion version = request.protocolVersion();
        if (!HttpVersion.HTTP_1_1.equals(version) && !HttpVersion.HTTP_1_0.equals(version)) {
            return ApiError.HTTP_VERSION_NOT_SUPPORTED;
        }
        HttpHeaders headers = request.headers();
        List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        List<String> lengths = headers.getAll(HttpHeaderNames.CONTENT_LENGTH);
        if (!codings.isEmpty()) {
            if (!lengths.isEmpty()
                    || codings.size() != 1
                    || !CHUNKED.equalsIgnoreCase(codings.get(0).trim())) {
                return ApiError.BAD_TRANSFER_ENCODING;
            }
        } else if (!lengths.isEmpty() && (lengths.size() != 1 || !isDecimal(lengths.get(0)))) {
            return ApiError.BAD_CONTENT_LENGTH;
        }
        return isValidTarget(request.uri()) ? null : ApiError.MALFORMED_TARGET;
    }

    static ApiError decodingFailure(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return ApiError.REQUEST_LINE_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return ApiError.HEADERS_TOO_LARGE;
        }
        return ApiError.MALFORMED_REQUEST;
    }

    /** One to 18 ASCII digits, nothing else (Netty has trimmed the surrounding whitespace). */
    static boolean isDecimal(String value) {
        int length = value.length();
        if (length == 0 || length > 18) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * An origin-form target ({@code /path?query}) of RFC 3986 characters only, every {@code %}
     * followed by two hex digits; {@code *} (OPTIONS); anything else only if {@link URI} parses
     * it (absolute-form, which the route table then judges by its path).
     */
    static boolean isValidTarget(String target) {
        if (target.isEmpty()) {
            return false;
        }
        if (target.charAt(0) != '/') {
            return "*".equals(target) || parses(target);
        }
        int length = target.length();
        for (int i = 0; i < length; i++) {
            char c = target.charAt(i);
            if (c == '%') {
                if (i + 2 >= length || !isHex(target.charAt(i + 1)) || !isHex(target.charAt(i + 2))) {
                    return false;
                }
                i += 2;
            } else if (!isTargetChar(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean parses(String target) {
        try {
            new URI(target);
            return true;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** unreserved, sub-delims, ':', '@' (pchar), and '/' and '?' (path and query). */
    private static boolean isTargetChar(char c) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            return true;
        }
        return switch (c) {
            case '-', '.', '_', '~', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', ':', '@', '/', '?' -> true;
            default -> false;
        };
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
