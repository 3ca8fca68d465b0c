package ai.powerpost.gateway.admin;

import org.jspecify.annotations.Nullable;

/**
 * Every kind of change the management API makes, as the audit trail names it. A new kind of
 * change adds its action here and goes through {@link Changes}, like every other.
 */
public enum Action {
    KEY_CREATE("key.create"),
    KEY_REVOKE("key.revoke"),
    KEY_ROLL("key.roll"),
    WORKSPACE_GRANT("workspace.grant"),
    WORKSPACE_REMOVE("workspace.remove"),
    OPERATOR_CREATE("operator.create"),
    OPERATOR_REVOKE("operator.revoke"),
    /** A key reported as leaked (GitHub's secret scanning, or the public report), revoked at once. */
    KEY_LEAK_REVOKE("key.leak_revoke"),
    /** A key reported as leaked, recorded only ({@code gateway.leaks.action=flag}): nothing changes. */
    KEY_LEAK_FLAG("key.leak_flag");

    private final String wireName;

    Action(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static @Nullable Action fromWireName(@Nullable String name) {
        for (Action action : values()) {
            if (action.wireName.equals(name)) {
                return action;
            }
        }
        return null;
    }
}
