package ai.powerpost.gateway.access;

import ai.powerpost.gateway.auth.ApiKeyStore;
import ai.powerpost.gateway.auth.AuthProperties;
import ai.powerpost.gateway.auth.KeyTags;
import ai.powerpost.gateway.auth.UntaggedKeys;
import ai.powerpost.gateway.routing.RouteTableHolder;
import com.github.benmanes.caffeine.cache.Ticker;
import java.net.URI;
import org.springframework.boot.actuate.autoconfigure.web.server.ConditionalOnManagementPort;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.publisher.Flux;

/**
 * Who may call what: the route table handed to Spring Cloud Gateway, and the stages that resolve
 * the route ({@link RouteResolutionCheck}), authenticate the key ({@link ApiKeyCheck}) and
 * authorise it for the route ({@link ScopeCheck}, {@link KeyModeCheck}, {@link WorkspaceCheck}).
 *
 * <p>The route table is the only matcher: Spring Cloud Gateway has one route, for every request
 * ({@link PublicPortMapping} hands it over without a look-up); {@link RouteResolutionCheck} matches
 * the request against the table once (kept in the request state) and answers with 404, 405 or 400
 * what it does not resolve. SCG's own predicates and its route DSL are not used.
 */
@Configuration(proxyBeanMethods = false)
class AccessConfiguration {

    /** The one route Spring Cloud Gateway knows: the entry to its filter chain for every request. */
    static final String ROUTE_ID = "gateway";

    /**
     * Spring Cloud Gateway's one route: every request, whatever its path. The route table decides
     * (the {@code ROUTE_RESOLUTION} check, then the upstream call's prepared route per routes.yml
     * route), so the framework has nothing to choose between and asks no predicate of ours.
     */
    @Bean
    RouteLocator powerPostRoutes() {
        Route route = gatewayRoute();
        return () -> Flux.just(route);
    }

    private static Route gatewayRoute() {
        return Route.async()
                .id(ROUTE_ID)
                .uri(URI.create("no://op")) // never called: the upstream call sets the route it calls
                .order(0)
                .predicate(exchange -> true)
                .build();
    }

    /** The public port's requests straight to the filter chain; not when management shares the port. */
    @Bean
    @ConditionalOnManagementPort(ManagementPortType.DIFFERENT)
    PublicPortMapping publicPortMapping(FilteringWebHandler handler) {
        return new PublicPortMapping(handler, gatewayRoute());
    }

    @Bean
    RouteResolutionCheck routeResolutionFilter(RouteTableHolder holder) {
        return new RouteResolutionCheck(holder);
    }

    @Bean
    ScopeCheck scopeAuthorizationFilter() {
        return new ScopeCheck();
    }

    @Bean
    KeyModeCheck keyModeFilter() {
        return new KeyModeCheck();
    }

    @Bean
    WorkspaceCheck workspaceFilter(ApiKeyStore store, WorkspaceProperties properties) {
        return new WorkspaceCheck(store, properties);
    }

    @Bean
    BruteForceGuard bruteForceGuard(AuthProperties properties) {
        return new BruteForceGuard(properties, System::currentTimeMillis, Ticker.systemTicker());
    }

    /** Shares the failure counts every {@code gateway.auth.failure-sync-interval}, off the request path. */
    @Bean
    BruteForceSync bruteForceSync(BruteForceGuard guard, ReactiveStringRedisTemplate redis, AuthProperties properties) {
        return new BruteForceSync(guard, redis, properties.failureSyncInterval());
    }

    @Bean
    ApiKeyCheck apiKeyAuthFilter(
            ApiKeyStore store, KeyTags tags, UntaggedKeys untagged, BruteForceGuard guard, AuthProperties properties) {
        return new ApiKeyCheck(store, tags, untagged, guard, properties);
    }
}
