package ai.powerpost.gateway.auth;

import java.util.Set;

/**
 * A key as the gateway knows it after look-up; never the secret.
 *
 * @param keyHash      SHA-256 of the secret, hex
 * @param id           public key id, e.g. {@code key_…}
 * @param accountId    the owning account
 * @param scopes       what the key may do (legacy types already mapped to scopes)
 * @param scopesHeader {@code scopes} as the space-separated value sent upstream, computed once
 */
public record KeyRecord(String keyHash, String id, String accountId, Set<Scope> scopes, String scopesHeader) {

    public KeyRecord(String keyHash, String id, String accountId, Set<Scope> scopes) {
        this(keyHash, id, accountId, Set.copyOf(scopes), Scope.join(scopes));
    }

    public boolean allows(Scope scope) {
        return scopes.contains(scope);
    }
}
