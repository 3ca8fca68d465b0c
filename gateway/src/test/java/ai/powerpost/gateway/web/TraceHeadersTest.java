package ai.powerpost.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.pipeline.RequestTrace;
import ai.powerpost.gateway.web.TraceCheck.TraceParent;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveHopByHopHeadersFilter;
import org.springframework.http.HttpHeaders;

/**
 * The trace context the upstream gets ({@link UpstreamRequestHeaders}): with tracing on, only the
 * gateway's own; with tracing off, a trusted proxy's, and nobody else's. And the strict reading
 * of an untrusted client's {@code traceparent} ({@link TraceParent}), kept only as a link.
 */
class TraceHeadersTest {

    private static final String CLIENTS = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private static UpstreamRequestHeaders headers() {
        List<HttpHeadersFilter> filters =
                new ArrayList<>(LegacyHeaderPipeline.filters(new RemoveHopByHopHeadersFilter(), false));
        filters.removeIf(f -> f instanceof LegacyHeaderPipeline.ForwardedWriter);
        return new UpstreamRequestHeaders(filters, new TrustedProxies(List.of("10.0.0.0/8")));
    }

    private static HttpHeaders clientSent() {
        HttpHeaders in = new HttpHeaders();
        in.add("Accept", "application/json");
        in.add("traceparent", CLIENTS);
        in.add("TraceState", "vendor=1");
        in.add("baggage", "user=admin");
        return in;
    }

    private static UpstreamRequestHeaders.Identity identity(@Nullable RequestTrace trace, boolean trustedPeer) {
        return new UpstreamRequestHeaders.Identity(
                "acct_1",
                "key_1",
                "posts:read",
                "live",
                "rid",
                null,
                Set.of(),
                "203.0.113.7",
                "http",
                null,
                trace,
                trustedPeer);
    }

    @Test
    void tracingOffAnUntrustedClientsTraceContextIsDropped() {
        HttpHeaders out = headers().build(clientSent(), identity(null, false));
        assertThat(out.get("traceparent")).isNull();
        assertThat(out.get("tracestate")).isNull();
        assertThat(out.get("baggage")).isNull();
        assertThat(out.getFirst("Accept")).isEqualTo("application/json");
    }

    @Test
    void tracingOffATrustedProxysTraceContextPassesAsItCame() {
        HttpHeaders out = headers().build(clientSent(), identity(null, true));
        assertThat(out.get("traceparent")).containsExactly(CLIENTS);
        assertThat(out.get("tracestate")).containsExactly("vendor=1");
        assertThat(out.get("baggage")).containsExactly("user=admin");
    }

    @Test
    void tracingOnOnlyTheGatewaysOwnIsSentWhoeverThePeer() {
        RequestTrace trace = new RequestTrace(Tracer.NOOP, new FixedPropagator(), Span.NOOP);
        for (boolean trusted : new boolean[] {true, false}) {
            HttpHeaders out = headers().build(clientSent(), identity(trace, trusted));
            assertThat(out.get("traceparent")).containsExactly(FixedPropagator.OURS);
            assertThat(out.get("tracestate")).isNull();
            assertThat(out.get("baggage")).isNull();
        }
    }

    @Test
    void aWellFormedTraceparentIsRead() {
        TraceParent parent = TraceParent.parse(CLIENTS);
        assertThat(parent).isEqualTo(new TraceParent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true));
        assertThat(TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")
                        .sampled())
                .isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
                "0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
            })
    void anythingElseIsNoTraceContext(String value) {
        assertThat(TraceParent.parse(value)).isNull();
    }

    /** Writes one fixed traceparent, whatever the context: what the gateway sends is this, never the client's. */
    private static final class FixedPropagator implements Propagator {
        static final String OURS = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        @Override
        public List<String> fields() {
            return List.of("traceparent");
        }

        @Override
        public <C> void inject(TraceContext context, @Nullable C carrier, Setter<C> setter) {
            setter.set(carrier, "traceparent", OURS);
        }

        @Override
        public <C> Span.Builder extract(C carrier, Getter<C> getter) {
            return Span.Builder.NOOP;
        }
    }
}
