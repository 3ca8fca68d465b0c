package ai.powerpost.gateway.admin;

/**
 * Who makes a management call: a named operator (its id, never its token), or {@link #ROOT}, the
 * bootstrap token {@code GATEWAY_ADMIN_TOKEN}; or the gateway itself revoking a leaked key that was
 * reported to it ({@link #GITHUB_SECRET_SCANNING}, {@link #PUBLIC_REPORT}: ids no operator can have,
 * as operators' ids start with {@code op_}).
 *
 * @param id   the operator's id ({@code op_…}), or {@code root}
 * @param name the operator's name, or {@code root}
 * @param role what it may do
 */
public record Actor(String id, String name, Role role) {

    /** The bootstrap token's caller: every role, audited as {@code root}. */
    public static final Actor ROOT = new Actor("root", "root", Role.ADMIN);

    /**
     * The gateway itself, acting on a report from GitHub's secret-scanning partner programme
     * ({@code POST /secret-scanning/github}, public port): it may revoke a reported key, nothing else.
     */
    public static final Actor GITHUB_SECRET_SCANNING =
            new Actor("github-secret-scanning", "GitHub secret scanning", Role.OPERATOR);

    /**
     * The gateway itself, acting on a report from anyone who found a key ({@code POST
     * /secret-scanning/report}, public port): it may revoke a reported key, nothing else.
     */
    public static final Actor PUBLIC_REPORT = new Actor("public-report", "public report", Role.OPERATOR);
}
