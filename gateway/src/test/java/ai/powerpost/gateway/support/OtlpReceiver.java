package ai.powerpost.gateway.support;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A real OTLP/HTTP trace receiver on a random loopback port: it accepts what an OpenTelemetry
 * exporter POSTs to {@code /v1/traces} (protobuf), decodes it with the OTLP protobuf classes
 * ({@code io.opentelemetry.proto}), answers as a collector does, and keeps every span it got.
 */
public final class OtlpReceiver implements AutoCloseable {

    /** One received span, with its ids as hex and its attributes as strings. */
    public record Received(
            String traceId,
            String spanId,
            String parentSpanId,
            String name,
            Span.SpanKind kind,
            Map<String, String> attributes,
            List<String> linkedTraceIds,
            io.opentelemetry.proto.trace.v1.Status status,
            Span raw) {

        public String attribute(String key) {
            return attributes.get(key);
        }
    }

    private final HttpServer server;
    private final List<Received> spans = new CopyOnWriteArrayList<>();
    private final List<String> contentTypes = new CopyOnWriteArrayList<>();

    public OtlpReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/v1/traces", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                contentTypes.add(String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
                ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(in.readAllBytes());
                for (ResourceSpans resource : request.getResourceSpansList()) {
                    for (ScopeSpans scope : resource.getScopeSpansList()) {
                        for (Span span : scope.getSpansList()) {
                            spans.add(received(span));
                        }
                    }
                }
                byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, answer.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            } catch (RuntimeException | IOException e) {
                exchange.sendResponseHeaders(400, -1);
                exchange.close();
            }
        });
        server.start();
    }

    private static Received received(Span span) {
        HexFormat hex = HexFormat.of();
        List<String> links = new ArrayList<>();
        for (Span.Link link : span.getLinksList()) {
            links.add(hex.formatHex(link.getTraceId().toByteArray()));
        }
        return new Received(
                hex.formatHex(span.getTraceId().toByteArray()),
                hex.formatHex(span.getSpanId().toByteArray()),
                hex.formatHex(span.getParentSpanId().toByteArray()),
                span.getName(),
                span.getKind(),
                span.getAttributesList().stream()
                        .collect(Collectors.toMap(KeyValue::getKey, kv -> text(kv.getValue()), (a, b) -> a)),
                links,
                span.getStatus(),
                span);
    }

    private static String text(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case INT_VALUE -> Long.toString(value.getIntValue());
            case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
            case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
            default -> value.toString();
        };
    }

    /** The endpoint to export to. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
    }

    public List<Received> spans() {
        return List.copyOf(spans);
    }

    /** Every content type the exporter posted with. */
    public List<String> contentTypes() {
        return List.copyOf(contentTypes);
    }

    /** The spans of {@code traceId}, once {@code count} of them have arrived (bounded wait, on the test thread). */
    public List<Received> awaitTrace(String traceId, int count) {
        return await(span -> span.traceId().equals(traceId), count);
    }

    /** The spans matching {@code which}, once at least {@code count} have arrived. */
    public List<Received> await(Predicate<Received> which, int count) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        List<Received> found;
        do {
            found = spans.stream().filter(which).toList();
            if (found.size() >= count) {
                return found;
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError("expected " + count + " spans, got " + found + " (all received: " + spans + ")");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
