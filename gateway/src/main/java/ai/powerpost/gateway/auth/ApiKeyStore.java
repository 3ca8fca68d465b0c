package ai.powerpost.gateway.auth;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The only read path for keys and workspace ownership: a local cache in front of Redis.
 * A warm key costs no Redis command and a known key is never waited on (past its re-read age it
 * is re-read in the background); concurrent look-ups of one uncached key share one Redis call;
 * unknown keys are cached too (briefly), so a flood of random keys costs one look-up per distinct
 * key. A Redis failure is an error signal, never an empty answer: authentication fails
 * closed.
 */
public interface ApiKeyStore {

    /** The key whose SHA-256 is {@code keyHash}; empty when unknown or revoked; an error when Redis fails. */
    Mono<KeyRecord> find(String keyHash);

    /** As {@link #find}, answered without a Mono when the cache holds the answer (one cache look-up either way). */
    Lookup<KeyRecord> lookup(String keyHash);

    /**
     * The key if this replica holds it, known, valid and trusted, in its cache right now; never waits
     * for Redis (past its re-read age it is still answered, and re-read in the background).
     */
    @Nullable
    KeyRecord cached(String keyHash);

    /** Whether the account owns the workspace; an error when Redis fails. */
    Mono<Boolean> ownsWorkspace(String accountId, String workspaceId);

    /** As {@link #ownsWorkspace}, answered without a Mono when the account's workspaces are cached. */
    Lookup<Boolean> ownership(String accountId, String workspaceId);

    /** Drops what this replica cached for the key (after a create or a revoke). */
    void invalidateKey(String keyHash);

    /** Drops what this replica cached of the account's workspaces. */
    void invalidateWorkspaces(String accountId);

    /**
     * After a reconnect to Redis, when invalidations may have been missed: everything is read again
     * before it is trusted, while what Redis last said still serves within the outage grace.
     */
    void revalidateAll();
}
