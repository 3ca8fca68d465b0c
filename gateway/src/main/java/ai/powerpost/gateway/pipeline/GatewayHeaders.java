package ai.powerpost.gateway.pipeline;

/** Header names the gateway reads from clients or sets for the backends, in one place. */
public final class GatewayHeaders {

    public static final String WORKSPACE_ID = "X-Workspace-Id";
    public static final String REQUEST_ID = "X-Request-Id";
    /** Every header with this prefix is the gateway's to set: a client's copies are removed. */
    public static final String POWERPOST_PREFIX = "X-PowerPost-";

    public static final String ACCOUNT_ID = "X-PowerPost-Account-Id";
    public static final String KEY_ID = "X-PowerPost-Key-Id";
    public static final String SCOPES = "X-PowerPost-Scopes";
    /** {@code live} or {@code test}: the verified key's mode (a test key's calls only ever reach a sandbox). */
    public static final String KEY_MODE = "X-PowerPost-Key-Mode";

    private GatewayHeaders() {}
}
