package ai.powerpost.gateway.usage;

import java.time.Instant;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Reads of the per-key usage and its findings, for the management API and the console. */
public interface UsageQueries {

    /** The key's usage over the last {@code days} days (1-35); empty when the account holds no such key. */
    Mono<KeyUsage> usage(String accountId, String keyId, int days);

    /** Every finding since {@code since}, newest first. */
    Flux<Finding> findings(Instant since);

    /** The key's findings since {@code since}, newest first. */
    Flux<Finding> findingsOfKey(String keyId, Instant since);
}
