package ai.powerpost.gateway.auth;

import org.jspecify.annotations.Nullable;

/**
 * A key's mode, which its prefix shows: a live key ({@code pp_live_sk_}) reaches PowerPost's live
 * upstreams, a test key ({@code pp_test_sk_}) only their sandboxes (docs/security.md). Each mode
 * has its own limit of keys per account, so test keys never crowd out production ones.
 */
public enum KeyMode {
    LIVE("live", "pp_live_sk_"),
    TEST("test", "pp_test_sk_");

    private final String wireName;
    private final String prefix;

    KeyMode(String wireName, String prefix) {
        this.wireName = wireName;
        this.prefix = prefix;
    }

    /** As the API, the record ({@code mode}) and the upstream header ({@code X-PowerPost-Key-Mode}) write it. */
    public String wireName() {
        return wireName;
    }

    /** What every key of this mode starts with; both are 11 characters. */
    public String prefix() {
        return prefix;
    }

    /** The mode named {@code name} ({@code live}, {@code test}); null for anything else. */
    public static @Nullable KeyMode fromWireName(@Nullable String name) {
        if ("live".equals(name)) {
            return LIVE;
        }
        return "test".equals(name) ? TEST : null;
    }

    /** The mode whose prefix {@code key} carries; null when it carries neither. */
    public static @Nullable KeyMode ofKey(String key) {
        if (key.startsWith(LIVE.prefix)) {
            return LIVE;
        }
        return key.startsWith(TEST.prefix) ? TEST : null;
    }
}
