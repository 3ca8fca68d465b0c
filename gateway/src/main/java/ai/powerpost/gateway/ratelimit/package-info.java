/**
 * Per-key rate limiting: decided locally on every request (no Redis round trip), reconciled
 * across replicas through Redis in batches off the request path. See {@code docs/rate-limiting.md}.
 */
@NullMarked
package ai.powerpost.gateway.ratelimit;

import org.jspecify.annotations.NullMarked;
