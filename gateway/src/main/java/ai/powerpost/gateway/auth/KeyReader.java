package ai.powerpost.gateway.auth;

import java.util.Optional;
import java.util.Set;
import reactor.core.publisher.Mono;

/** Where the key store reads from on a cache miss: Redis in production ({@link RedisKeyReader}). */
interface KeyReader {

    /** The key record of {@code keyHash}; an empty optional when there is none. */
    Mono<Optional<KeyRecord>> readKey(String keyHash);

    /** The workspace ids the account owns. */
    Mono<Set<String>> readWorkspaces(String accountId);
}
