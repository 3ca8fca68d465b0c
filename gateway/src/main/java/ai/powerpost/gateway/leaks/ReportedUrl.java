package ai.powerpost.gateway.leaks;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The URL a report says a key was found at, made safe to keep: it is written into the audit trail
 * (Redis and the {@code audit} log line) and is hostile input. Only printable ASCII is kept (anything
 * else becomes {@code ?}), at most {@value #MAX_LENGTH} characters, and whatever looks like a secret
 * (a PowerPost key, an operator token, a 64-hex hash) is replaced by {@code [redacted]}: a report
 * could carry the key in its URL, and the trail never holds a key or a hash.
 */
final class ReportedUrl {

    static final int MAX_LENGTH = 512;

    private static final Pattern SECRETS = Pattern.compile(
            "pp_(?:live|test)_sk_[A-Za-z0-9]*|ppgw_op_[A-Za-z0-9]*|(?<![0-9A-Fa-f])[0-9A-Fa-f]{64,}(?![0-9A-Fa-f])");

    private ReportedUrl() {}

    /** The URL to record, or null when none was given. */
    static @Nullable String sanitise(@Nullable String url) {
        if (url == null) {
            return null;
        }
        String trimmed = url.strip();
        if (trimmed.isEmpty()) {
            return null;
        }
        // look at a little more than is kept, so a secret cut by the bound is still recognised
        int length = Math.min(trimmed.length(), MAX_LENGTH + 200);
        StringBuilder ascii = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            char c = trimmed.charAt(i);
            ascii.append(c >= 0x21 && c <= 0x7e ? c : '?');
        }
        String safe = SECRETS.matcher(ascii).replaceAll("[redacted]");
        if (safe.length() > MAX_LENGTH || trimmed.length() > length) {
            safe = safe.substring(0, Math.min(safe.length(), MAX_LENGTH - 3)) + "...";
        }
        return safe;
    }
}
