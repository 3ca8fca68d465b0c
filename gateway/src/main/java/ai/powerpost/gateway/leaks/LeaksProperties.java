package ai.powerpost.gateway.leaks;

import ai.powerpost.gateway.config.PositiveDuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Reports of leaked keys ({@code gateway.leaks.*}); both endpoints are off by default.
 *
 * @param github GitHub's secret-scanning partner endpoint, {@code POST /secret-scanning/github}
 * @param report the public report endpoint, {@code POST /secret-scanning/report}
 * @param action what a reported key that exists gets: {@code revoke} (at once, on every replica) or
 *               {@code flag} (an audit entry only; the key keeps working)
 */
@Validated
@ConfigurationProperties("gateway.leaks")
public record LeaksProperties(
        @DefaultValue @NotNull @Valid Github github,
        @DefaultValue @NotNull @Valid Report report,
        @DefaultValue("revoke") @NotNull Action action) {

    /** What a reported key that exists gets. */
    public enum Action {
        /** Revoked at once, on every replica, audited as {@code key.leak_revoke}. */
        REVOKE,
        /** Recorded only, audited as {@code key.leak_flag}; the key keeps working. */
        FLAG
    }

    /**
     * GitHub's secret-scanning partner endpoint.
     *
     * @param enabled             whether {@code POST /secret-scanning/github} is served
     * @param keysUrl             where GitHub's signing keys are listed
     *                            ({@code {"public_keys":[{"key_identifier","key","is_current"}]}})
     * @param keysRefetchInterval the least time between two fetches of the list: a signature naming a
     *                            key the list does not hold fetches it again, at most this often, so
     *                            unknown identifiers sent by anyone cannot make the gateway hammer the URL
     * @param keysTimeout         how long one fetch of the list may take
     * @param concurrency         reported tokens of one batch looked up (and revoked) at once
     */
    public record Github(
            @DefaultValue("false") boolean enabled,

            @DefaultValue(GithubPublicKeys.GITHUB_KEYS_URL)
            @NotNull
            @Pattern(
                    regexp = "https?://[^\\s/?#]+(/\\S*)?",
                    message = "must be an http:// or https:// URL, but was '${validatedValue}'")
            String keysUrl,

            @DefaultValue("60s") @NotNull @PositiveDuration Duration keysRefetchInterval,
            @DefaultValue("10s") @NotNull @PositiveDuration Duration keysTimeout,
            @DefaultValue("16") @Min(1) @Max(256) int concurrency) {}

    /**
     * The public report endpoint.
     *
     * @param enabled       whether {@code POST /secret-scanning/report} is served
     * @param maxPerAddress reports one client address may make per window (per replica); then 429
     * @param window        the throttling window, from an address's first report
     */
    public record Report(
            @DefaultValue("false") boolean enabled,
            @DefaultValue("10") @Min(1) int maxPerAddress,
            @DefaultValue("1h") @NotNull @PositiveDuration Duration window) {}
}
