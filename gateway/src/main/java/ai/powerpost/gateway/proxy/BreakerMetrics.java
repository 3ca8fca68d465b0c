package ai.powerpost.gateway.proxy;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;

/**
 * The circuit breakers' meters, read when scraped: state (the names and tags of Resilience4j's own
 * {@code resilience4j_circuitbreaker_state}), failure rate, buffered calls and calls refused while
 * open. Nothing is recorded per call. Resilience4j's {@code TaggedCircuitBreakerMetrics} also
 * times every call through the breaker's event stream, which makes the breaker build an event (and
 * read the wall clock into a {@code ZonedDateTime}) on every proxied request; the gateway's own
 * {@code gateway_upstream} timer already measures those calls (docs/performance.md).
 */
final class BreakerMetrics {

    private BreakerMetrics() {}

    static void bind(CircuitBreakerRegistry breakers, MeterRegistry meters) {
        breakers.getAllCircuitBreakers().forEach(breaker -> bind(breaker, meters));
        breakers.getEventPublisher().onEntryAdded(event -> bind(event.getAddedEntry(), meters));
    }

    private static void bind(CircuitBreaker breaker, MeterRegistry meters) {
        String name = breaker.getName();
        for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
            Gauge.builder("resilience4j.circuitbreaker.state", breaker, b -> b.getState() == state ? 1 : 0)
                    .description("The states of the circuit breaker")
                    .tags("name", name, "state", state.name().toLowerCase(Locale.ROOT))
                    .register(meters);
        }
        Gauge.builder(
                        "resilience4j.circuitbreaker.failure.rate",
                        breaker,
                        b -> b.getMetrics().getFailureRate())
                .description("The failure rate of the circuit breaker (-1 until its minimum calls)")
                .tag("name", name)
                .register(meters);
        Gauge.builder(
                        "resilience4j.circuitbreaker.buffered.calls",
                        breaker,
                        b -> b.getMetrics().getNumberOfFailedCalls())
                .description("Failed calls in the breaker's window")
                .tags("name", name, "kind", "failed")
                .register(meters);
        Gauge.builder(
                        "resilience4j.circuitbreaker.buffered.calls",
                        breaker,
                        b -> b.getMetrics().getNumberOfSuccessfulCalls())
                .description("Successful calls in the breaker's window")
                .tags("name", name, "kind", "successful")
                .register(meters);
        FunctionCounter.builder(
                        "resilience4j.circuitbreaker.not.permitted.calls",
                        breaker,
                        b -> b.getMetrics().getNumberOfNotPermittedCalls())
                .description("Calls refused while the breaker was open")
                .tags("name", name, "kind", "not_permitted")
                .register(meters);
    }
}
