package ai.powerpost.gateway.leaks;

import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.pipeline.Check;
import ai.powerpost.gateway.pipeline.RequestState;
import ai.powerpost.gateway.pipeline.Stage;
import ai.powerpost.gateway.pipeline.Verdict;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpMethod;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The leak-report endpoints on the public port, outside routes.yml's table: a request to one that
 * is switched on is answered here ({@code POST} only: another method is a 405), after the request
 * id, the access log and the HTTP hygiene, before route resolution; every other request, and a
 * request to an endpoint that is off, goes on (to be 404 like any path no route declares).
 */
final class SecretScanningCheck implements Check {

    private static final Verdict POST_ONLY = Verdict.refuse(ApiError.methodNotAllowed("POST"));

    private final @Nullable GithubEndpoint github;
    private final @Nullable ReportEndpoint report;

    SecretScanningCheck(@Nullable GithubEndpoint github, @Nullable ReportEndpoint report) {
        this.github = github;
        this.report = report;
    }

    @Override
    public Verdict check(ServerWebExchange exchange, RequestState state) {
        if (github == null && report == null) {
            return Verdict.PASS;
        }
        String path = exchange.getRequest().getURI().getRawPath();
        if (github != null && GithubEndpoint.PATH.equals(path)) {
            return serve(exchange, state, GithubEndpoint.ENDPOINT_ID, github::handle);
        }
        if (report != null && ReportEndpoint.PATH.equals(path)) {
            return serve(exchange, state, ReportEndpoint.ENDPOINT_ID, report::handle);
        }
        return Verdict.PASS;
    }

    private static Verdict serve(
            ServerWebExchange exchange,
            RequestState state,
            String endpointId,
            Function<ServerWebExchange, Mono<Void>> handler) {
        state.servedBy(endpointId);
        if (exchange.getRequest().getMethod() != HttpMethod.POST) {
            return POST_ONLY;
        }
        return Verdict.answered(handler.apply(exchange));
    }

    @Override
    public Stage stage() {
        return Stage.SECRET_SCANNING;
    }

    @Override
    public String toString() {
        return "SecretScanningCheck[github=" + (github == null ? "off" : github) + ", report="
                + (report == null ? "off" : report) + "]";
    }
}
