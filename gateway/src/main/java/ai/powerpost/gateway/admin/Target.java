package ai.powerpost.gateway.admin;

import org.jspecify.annotations.Nullable;

/**
 * What a change is made to, as far as the call names it: an account, a key id, a workspace, an
 * operator id. Ids only: never a key, a token or a hash.
 */
public record Target(
        @Nullable String account,
        @Nullable String keyId,
        @Nullable String workspace,
        @Nullable String operatorId) {

    public static Target account(@Nullable String account) {
        return new Target(account, null, null, null);
    }

    public static Target key(@Nullable String account, @Nullable String keyId) {
        return new Target(account, keyId, null, null);
    }

    public static Target workspace(@Nullable String account, @Nullable String workspace) {
        return new Target(account, null, workspace, null);
    }

    public static Target operator(@Nullable String operatorId) {
        return new Target(null, null, null, operatorId);
    }
}
