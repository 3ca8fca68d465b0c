package ai.powerpost.gateway.web;

import ai.powerpost.gateway.pipeline.Check;
import ai.powerpost.gateway.pipeline.GatewayHeaders;
import ai.powerpost.gateway.pipeline.RequestState;
import ai.powerpost.gateway.pipeline.Stage;
import ai.powerpost.gateway.pipeline.Verdict;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.web.server.ServerWebExchange;

/**
 * Identifies every request: its client address ({@link TrustedProxies}) and an {@code X-Request-Id},
 * the client's when it sent exactly one of at most
 * 128 characters of {@code [A-Za-z0-9._:-]}, else a new random one. It is returned on every
 * response, errors included, and sent to the upstream by {@link UpstreamRequestHeaders}.
 */
public final class RequestIdCheck implements Check {
    private static final int MAX_LENGTH = 128;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final TrustedProxies proxies;

    RequestIdCheck(TrustedProxies proxies) {
        this.proxies = proxies;
    }

    @Override
    public Verdict check(ServerWebExchange exchange, RequestState state) {
        List<String> sent = exchange.getRequest().getHeaders().get(GatewayHeaders.REQUEST_ID);
        String id = sent != null && sent.size() == 1 && isSane(sent.get(0)) ? sent.get(0) : generate();
        state.identify(id, proxies.clientAddress(exchange.getRequest()));
        exchange.getResponse().getHeaders().set(GatewayHeaders.REQUEST_ID, id);
        return Verdict.PASS;
    }

    static boolean isSane(String id) {
        if (id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!((c >= '0' && c <= '9')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || c == '.'
                    || c == '_'
                    || c == ':'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** 128 random bits as 32 hex characters; not a secret, so no SecureRandom on the hot path. */
    static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] out = new char[32];
        long high = random.nextLong();
        long low = random.nextLong();
        for (int i = 0; i < 16; i++) {
            out[i] = HEX[(int) (high >>> (60 - 4 * i)) & 0xf];
            out[16 + i] = HEX[(int) (low >>> (60 - 4 * i)) & 0xf];
        }
        return new String(out);
    }

    @Override
    public Stage stage() {
        return Stage.IDENTIFY;
    }

    @Override
    public String toString() {
        return "RequestIdCheck";
    }
}
