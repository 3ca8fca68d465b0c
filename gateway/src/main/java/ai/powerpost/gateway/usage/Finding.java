package ai.powerpost.gateway.usage;

import java.time.Instant;

/**
 * One finding of unexpected activity: a rule an operator can read, the key it concerns and the evidence.
 *
 * @param id        stable id of the finding
 * @param accountId the key's account
 * @param keyId     the key
 * @param rule      {@code new_network}, {@code hourly_spike}, {@code used_after_successor}, {@code network_count_record}
 * @param at        when it was found
 * @param evidence  a sentence of plain text, e.g. "first request from 198.51.100.0/24, not seen in the previous 14 days"
 */
public record Finding(String id, String accountId, String keyId, String rule, Instant at, String evidence) {}
