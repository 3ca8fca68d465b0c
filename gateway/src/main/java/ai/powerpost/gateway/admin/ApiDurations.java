package ai.powerpost.gateway.admin;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Durations as the management API takes them everywhere ({@code expires_in},
 * {@code expire_previous_in}): a count and a unit, {@code 30s}, {@code 15m}, {@code 24h},
 * {@code 90d}. Nothing else: no ISO-8601, no spaces, no leading zero, no sign.
 */
public final class ApiDurations {

    private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,7})([smhd])");

    private ApiDurations() {}

    /** The duration {@code text} names; null when it is not a positive count and a unit. */
    public static @Nullable Duration parse(String text) {
        Matcher matcher = DURATION.matcher(text);
        if (!matcher.matches()) {
            return null;
        }
        long count = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "s" -> Duration.ofSeconds(count);
            case "m" -> Duration.ofMinutes(count);
            case "h" -> Duration.ofHours(count);
            default -> Duration.ofDays(count);
        };
    }

    /** As {@link #parse}, and also {@code 0} (or {@code 0s}): now. */
    public static @Nullable Duration parseOrZero(String text) {
        return "0".equals(text) || "0s".equals(text) ? Duration.ZERO : parse(text);
    }
}
