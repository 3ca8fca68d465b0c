package ai.powerpost.gateway.pipeline;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * One request's trace, when tracing is on ({@code management.tracing.export.enabled}): its server
 * span, started by the trace stage ({@link Stage#TRACE}), and what a later stage needs to add a
 * child span to it (the key look-up that goes to Redis, each upstream call) or to send the trace
 * on upstream. When tracing is off no request has one, and every stage's tracing is one null check.
 * <p>
 * Spans never carry a key, a key hash or a secret: the stages that add attributes add routes,
 * methods, statuses, error codes and upstream addresses only (docs/tracing.md lists them).
 */
public final class RequestTrace {

    private final Tracer tracer;
    private final Propagator propagator;
    private final Span server;
    private @Nullable Span upstream;

    public RequestTrace(Tracer tracer, Propagator propagator, Span server) {
        this.tracer = tracer;
        this.propagator = propagator;
        this.server = server;
    }

    /** The request's server span. */
    public Span server() {
        return server;
    }

    /** The trace id, as the access log writes it: 32 lower-case hex digits. */
    public String traceId() {
        return server.context().traceId();
    }

    /** Whether the trace is sampled: attributes of an unsampled span are never recorded, so need not be built. */
    public boolean sampled() {
        return !server.isNoop() && Boolean.TRUE.equals(server.context().sampled());
    }

    /** A child span of the server span, started now. */
    public Span child(String name, Span.Kind kind) {
        return tracer.spanBuilder()
                .setParent(server.context())
                .name(name)
                .kind(kind)
                .start();
    }

    /** Records the span of the upstream call under way, whose context the upstream request carries. */
    public void upstreamCall(Span span) {
        upstream = span;
    }

    /**
     * The trace headers of the upstream request ({@code traceparent}, {@code tracestate}): the
     * context of the upstream call's span, or of the server span when no call span was started.
     */
    public void injectUpstream(BiConsumer<String, String> headers) {
        Span parent = upstream == null ? server : upstream;
        propagator.inject(parent.context(), headers, BiConsumer::accept);
    }
}
