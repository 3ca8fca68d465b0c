package ai.powerpost.gateway.access;

import ai.powerpost.gateway.auth.ApiKeyStore;
import ai.powerpost.gateway.auth.AuthProperties;
import ai.powerpost.gateway.auth.KeyTags;
import ai.powerpost.gateway.auth.UntaggedKeys;
import ai.powerpost.gateway.routing.RouteMatch;
import ai.powerpost.gateway.routing.RouteTableHolder;
import ai.powerpost.gateway.routing.Upstream;
import com.github.benmanes.caffeine.cache.Ticker;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
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
 * <p>The route table is the only matcher: each upstream's SCG route matches the requests that the
 * table resolves to one of that upstream's routes (the match is computed once per request and kept
 * in the request state), and a last catch-all route catches everything else, which
 * {@link RouteResolutionCheck} answers with 404, 405 or 400. SCG's own predicates and its route
 * DSL are not used.
 */
@Configuration(proxyBeanMethods = false)
class AccessConfiguration {

    static final String UNMATCHED_ROUTE_ID = "unmatched";

    /** One SCG route per upstream of the table in force (re-read on every RefreshRoutesEvent), plus the catch-all. */
    @Bean
    RouteLocator powerPostRoutes(RouteTableHolder holder) {
        return () -> Flux.defer(() -> Flux.fromIterable(scgRoutes(holder)));
    }

    private static List<Route> scgRoutes(RouteTableHolder holder) {
        List<Route> routes = new ArrayList<>();
        int order = 0;
        for (Upstream upstream : holder.current().upstreams().values()) {
            routes.add(Route.async()
                    .id("upstream-" + upstream.name())
                    .uri(upstream.uri())
                    .order(order++)
                    .predicate(
                            exchange -> RouteResolutionCheck.resolve(exchange, holder) instanceof RouteMatch.Found found
                                    && found.route().upstream().name().equals(upstream.name()))
                    .build());
        }
        routes.add(Route.async()
                .id(UNMATCHED_ROUTE_ID)
                .uri(URI.create("no://op"))
                .order(Integer.MAX_VALUE)
                .predicate(exchange -> true)
                .build());
        return routes;
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
