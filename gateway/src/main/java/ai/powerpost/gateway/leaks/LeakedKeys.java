package ai.powerpost.gateway.leaks;

import ai.powerpost.gateway.admin.Action;
import ai.powerpost.gateway.admin.Changes;
import ai.powerpost.gateway.admin.Target;
import ai.powerpost.gateway.admin.keys.KeysStore;
import ai.powerpost.gateway.auth.ApiKeyStore;
import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.auth.KeyRecord;
import ai.powerpost.gateway.auth.KeyTags;
import ai.powerpost.gateway.auth.UntaggedKeys;
import ai.powerpost.gateway.errors.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Mono;

/**
 * What a reported token is, and what is done about it: the one decision both endpoints share.
 * <ol>
 * <li>Not of a key's form, or forged (its tag does not verify with any of our secrets and the
 *     untagged-key filter does not hold it, exactly as {@code access.ApiKeyCheck} decides):
 *     {@link Label#FALSE_POSITIVE}, with no Redis command.</li>
 * <li>Otherwise looked up through the key store (its cache, then Redis): no such key:
 *     {@link Label#FALSE_POSITIVE}.</li>
 * <li>A key that exists, live or test: {@link Label#TRUE_POSITIVE}, and revoked at once (its
 *     invalidation reaches every replica) or, with {@code gateway.leaks.action=flag}, only recorded,
 *     through {@link Changes}: the audit entry first, with the reporting system actor and the URL.</li>
 * </ol>
 * A failure (Redis unreachable, the audit entry not written) is an error, never a label: the
 * reporter is told to try again.
 */
final class LeakedKeys {

    private static final Logger log = LoggerFactory.getLogger(LeakedKeys.class);

    private final ApiKeyStore store;
    private final KeyTags tags;
    private final UntaggedKeys untagged;
    private final Changes changes;
    private final KeysStore keys;
    private final LeaksProperties.Action action;

    LeakedKeys(
            ApiKeyStore store,
            KeyTags tags,
            UntaggedKeys untagged,
            Changes changes,
            KeysStore keys,
            LeaksProperties.Action action) {
        this.store = store;
        this.tags = tags;
        this.untagged = untagged;
        this.changes = changes;
        this.keys = keys;
        this.action = action;
    }

    /** Whether {@code token} could be a key of ours: well-formed, and tagged by us or a known untagged key. */
    boolean mightBeOurs(String token) {
        return ApiKeys.isWellFormed(token)
                && (tags.verify(token) != null || untagged.mightContain(ApiKeys.hash(token)));
    }

    /** The label of {@code token}, once what it calls for is done. */
    Mono<Label> handle(String token, Changes.SystemCall call) {
        if (!mightBeOurs(token)) {
            return Mono.just(Label.FALSE_POSITIVE);
        }
        return store.find(ApiKeys.hash(token))
                .flatMap(key -> act(key, call).thenReturn(Label.TRUE_POSITIVE))
                .defaultIfEmpty(Label.FALSE_POSITIVE);
    }

    private Mono<Changes.Result> act(KeyRecord key, Changes.SystemCall call) {
        Target target = Target.key(key.accountId(), key.id());
        if (action == LeaksProperties.Action.FLAG) {
            return changes.makeAsSystem(call, Action.KEY_LEAK_FLAG, target, permit -> Mono.just(done()))
                    .doOnNext(result -> log.warn(
                            "key {} of account {} ({}) reported as leaked by {}: flagged, not revoked",
                            key.id(),
                            key.accountId(),
                            key.mode().wireName(),
                            call.actor().id()));
        }
        return changes.makeAsSystem(
                        call,
                        Action.KEY_LEAK_REVOKE,
                        target,
                        permit -> keys.revokeReported(permit, key.accountId(), key.id(), key.keyHash())
                                .map(revoked -> revoked ? done() : new Changes.Refused(ApiError.NOT_FOUND)))
                .doOnNext(result -> log.warn(
                        "key {} of account {} ({}) reported as leaked by {}: {}",
                        key.id(),
                        key.accountId(),
                        key.mode().wireName(),
                        call.actor().id(),
                        result instanceof Changes.Done ? "revoked" : "already revoked"));
    }

    private static Changes.Result done() {
        return new Changes.Done(HttpStatus.OK, null);
    }

    @Override
    public String toString() {
        return "LeakedKeys[action=" + action.name().toLowerCase(java.util.Locale.ROOT) + "]";
    }
}
