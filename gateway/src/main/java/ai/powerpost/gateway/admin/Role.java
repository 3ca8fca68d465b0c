package ai.powerpost.gateway.admin;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * What a named operator may do on the management API, each role including the one before it:
 * {@link #VIEWER} reads everything (keys, key secrets' use, operators, the audit trail),
 * {@link #OPERATOR} also creates and revokes keys and grants and removes workspaces, {@link #ADMIN}
 * also creates and revokes operators. The bootstrap token ({@code root}) has every role.
 */
public enum Role {
    VIEWER,
    OPERATOR,
    ADMIN;

    /** The name on the wire and in Redis: {@code viewer}, {@code operator}, {@code admin}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static @Nullable Role fromWireName(@Nullable String name) {
        for (Role role : values()) {
            if (role.wireName().equals(name)) {
                return role;
            }
        }
        return null;
    }

    /** Whether this role may do what {@code needed} may. */
    public boolean includes(Role needed) {
        return compareTo(needed) >= 0;
    }
}
