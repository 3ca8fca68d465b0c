package ai.powerpost.gateway.web;

import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.pipeline.Check;
import ai.powerpost.gateway.pipeline.RequestState;
import ai.powerpost.gateway.pipeline.Stage;
import ai.powerpost.gateway.pipeline.Verdict;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

/**
 * Refuses what a backend could read differently: more than one {@code Host} header (RFC 9112:
 * 400), and protocol upgrades, so no upgraded connection ever reaches a route. A websocket (or any
 * other) upgrade is a 400 before routing. An {@code h2c} upgrade offer is declined the way
 * RFC 9110 lets a server decline it: the request is served as the HTTP/1.1 request it also is,
 * without the offer (Java's own HTTP client makes that offer on every cleartext request, so a
 * 400 would break ordinary clients).
 */
public final class RequestHygieneCheck implements Check {

    private static final String HTTP2_SETTINGS = "HTTP2-Settings";
    private static final Verdict ONE_HOST = Verdict.refuse(ApiError.validation("Exactly one Host header is allowed"));
    private static final Verdict UPGRADE_REFUSED = Verdict.refuse(ApiError.UPGRADE_REFUSED);

    @Override
    public Verdict check(ServerWebExchange exchange, RequestState state) {
        HttpHeaders headers = exchange.getRequest().getHeaders();
        List<String> hosts = headers.get(HttpHeaders.HOST);
        if (hosts != null && hosts.size() > 1) {
            return ONE_HOST;
        }
        List<String> upgrade = headers.get(HttpHeaders.UPGRADE);
        if (upgrade == null && !headers.containsHeader(HTTP2_SETTINGS)) {
            return Verdict.PASS;
        }
        if (upgrade != null
                && !(upgrade.size() == 1
                        && "h2c".equalsIgnoreCase(upgrade.get(0).trim()))) {
            return UPGRADE_REFUSED;
        }
        ServerWebExchange declined = exchange.mutate()
                .request(request -> request.headers(h -> {
                    h.remove(HttpHeaders.UPGRADE);
                    h.remove(HTTP2_SETTINGS);
                    h.remove(HttpHeaders.CONNECTION);
                }))
                .build();
        return Verdict.continueWith(declined);
    }

    @Override
    public Stage stage() {
        return Stage.HYGIENE;
    }

    @Override
    public String toString() {
        return "RequestHygieneCheck";
    }
}
