package ai.powerpost.gateway.routing;

import java.time.Duration;

/**
 * A per-key rate-limit class of routes.yml: at most {@code requests} per {@code per}, per key,
 * across all replicas.
 *
 * @param name     as routes refer to it, e.g. {@code generate}
 * @param requests requests per window
 * @param per      the window
 */
public record RateLimitClass(String name, long requests, Duration per) {}
