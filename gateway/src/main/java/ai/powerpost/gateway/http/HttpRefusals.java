package ai.powerpost.gateway.http;

import ai.powerpost.gateway.errors.ApiError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the HTTP layer refused, counted by a bounded reason ({@value #REFUSALS}), and connections
 * turned away at the cap ({@value #CONNECTIONS_REFUSED}). These refusals never reach a filter, so
 * they are neither in the access log nor in {@code gateway_requests_*}; a flood of them is visible
 * here only, and is never logged line by line.
 */
final class HttpRefusals {

    static final String REFUSALS = "gateway.http.refusals";
    static final String CONNECTIONS_REFUSED = "gateway.http.connections.refused";

    enum Reason {
        HEADER_TIMEOUT,
        BODY_TIMEOUT,
        MALFORMED_REQUEST,
        MALFORMED_TARGET,
        BAD_FRAMING,
        HEAD_TOO_LARGE,
        HTTP_VERSION,
        MALFORMED_BODY,
        BODY_INCOMPLETE;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Map<Reason, Counter> counters = new EnumMap<>(Reason.class);
    private final Counter connectionsRefused;

    HttpRefusals(MeterRegistry meters) {
        for (Reason reason : Reason.values()) {
            counters.put(
                    reason,
                    Counter.builder(REFUSALS)
                            .tag("reason", reason.tag())
                            .description("Requests the HTTP layer refused before any filter ran, by reason")
                            .register(meters));
        }
        connectionsRefused = Counter.builder(CONNECTIONS_REFUSED)
                .description("Connections refused because the replica held gateway.http.max-connections")
                .register(meters);
    }

    void refused(ApiError error) {
        counters.get(reasonOf(error)).increment();
    }

    void headerTimeout() {
        counters.get(Reason.HEADER_TIMEOUT).increment();
    }

    void connectionRefused() {
        connectionsRefused.increment();
    }

    static Reason reasonOf(ApiError error) {
        if (error == ApiError.REQUEST_TIMEOUT) {
            return Reason.BODY_TIMEOUT;
        }
        if (error == ApiError.MALFORMED_TARGET) {
            return Reason.MALFORMED_TARGET;
        }
        if (error == ApiError.BAD_TRANSFER_ENCODING || error == ApiError.BAD_CONTENT_LENGTH) {
            return Reason.BAD_FRAMING;
        }
        if (error == ApiError.REQUEST_LINE_TOO_LONG || error == ApiError.HEADERS_TOO_LARGE) {
            return Reason.HEAD_TOO_LARGE;
        }
        if (error == ApiError.HTTP_VERSION_NOT_SUPPORTED) {
            return Reason.HTTP_VERSION;
        }
        if (error == ApiError.MALFORMED_BODY) {
            return Reason.MALFORMED_BODY;
        }
        if (error == ApiError.BODY_INCOMPLETE) {
            return Reason.BODY_INCOMPLETE;
        }
        return Reason.MALFORMED_REQUEST;
    }
}
