package ai.powerpost.gateway.redis;

/**
 * The Redis Sentinel group promoted a new primary ({@code +switch-master}). Published once per
 * promotion by {@link SentinelPrimaryWatcher}, whichever sentinel said it first.
 *
 * @param master the master's name, as configured ({@code spring.data.redis.sentinel.master})
 * @param address the new primary's {@code host:port}, as the sentinels announce it
 */
public record RedisPrimaryChanged(String master, String address) {}
