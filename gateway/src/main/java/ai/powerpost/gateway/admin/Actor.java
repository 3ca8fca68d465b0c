package ai.powerpost.gateway.admin;

/**
 * Who makes a management call: a named operator (its id, never its token), or {@link #ROOT}, the
 * bootstrap token {@code GATEWAY_ADMIN_TOKEN}.
 *
 * @param id   the operator's id ({@code op_…}), or {@code root}
 * @param name the operator's name, or {@code root}
 * @param role what it may do
 */
public record Actor(String id, String name, Role role) {

    /** The bootstrap token's caller: every role, audited as {@code root}. */
    public static final Actor ROOT = new Actor("root", "root", Role.ADMIN);
}
