package ai.powerpost.gateway.leaks;

import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.pipeline.ErrorResponseWriter;
import ai.powerpost.gateway.pipeline.RequestState;
import ai.powerpost.gateway.pipeline.Stage;
import ai.powerpost.gateway.pipeline.StageFilter;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpMethod;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The leak-report endpoints on the public port, outside routes.yml's table: a request to one that
 * is switched on is answered here ({@code POST} only: another method is a 405), after the request
 * id, the access log and the HTTP hygiene, before route resolution; every other request, and a
 * request to an endpoint that is off, goes on (to be 404 like any path no route declares).
 */
final class SecretScanningFilter implements StageFilter {

    private static final ApiError POST_ONLY = ApiError.methodNotAllowed("POST");

    private final @Nullable GithubEndpoint github;
    private final @Nullable ReportEndpoint report;

    SecretScanningFilter(@Nullable GithubEndpoint github, @Nullable ReportEndpoint report) {
        this.github = github;
        this.report = report;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        if (github == null && report == null) {
            return chain.filter(exchange);
        }
        String path = exchange.getRequest().getURI().getRawPath();
        if (github != null && GithubEndpoint.PATH.equals(path)) {
            return serve(exchange, GithubEndpoint.ENDPOINT_ID, github::handle);
        }
        if (report != null && ReportEndpoint.PATH.equals(path)) {
            return serve(exchange, ReportEndpoint.ENDPOINT_ID, report::handle);
        }
        return chain.filter(exchange);
    }

    private static Mono<Void> serve(
            ServerWebExchange exchange, String endpointId, Function<ServerWebExchange, Mono<Void>> handler) {
        RequestState.of(exchange).servedBy(endpointId);
        if (exchange.getRequest().getMethod() != HttpMethod.POST) {
            return ErrorResponseWriter.write(exchange, POST_ONLY);
        }
        return handler.apply(exchange);
    }

    @Override
    public Stage stage() {
        return Stage.SECRET_SCANNING;
    }

    @Override
    public String toString() {
        return "SecretScanningFilter[github=" + (github == null ? "off" : github) + ", report="
                + (report == null ? "off" : report) + "]";
    }
}
