package ai.powerpost.gateway.routing;

import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/** Looks up {@code GATEWAY_UPSTREAM_<NAME>} in the environment. */
@FunctionalInterface
public interface UpstreamEnvironment extends UnaryOperator<@Nullable String> {}
