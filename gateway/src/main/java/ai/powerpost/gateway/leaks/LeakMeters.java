package ai.powerpost.gateway.leaks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The leak intake's meters. Tags come from bounded sets only (source, label, result): never a key,
 * a hash, a URL or an address.
 */
final class LeakMeters {

    /** Counter: tokens reported, by {@code source} ({@code github}, {@code report}) and {@code label}. */
    static final String REPORTED = "gateway.leaks.reported";
    /** Counter: GitHub batches refused before anything was looked at, by {@code reason}. */
    static final String REFUSED = "gateway.leaks.refused";
    /** Counter: fetches of GitHub's key list, by {@code result} ({@code success}, {@code failure}). */
    static final String KEY_LIST_FETCHES = "gateway.leaks.key.list.fetches";

    private final Counter[] reported = new Counter[4];
    private final MeterRegistry registry;

    LeakMeters(MeterRegistry registry) {
        this.registry = registry;
        int i = 0;
        for (Source source : Source.values()) {
            for (Label label : Label.values()) {
                reported[i++] = Counter.builder(REPORTED)
                        .description("Tokens reported as leaked, by source and label")
                        .tag("source", source.tagValue)
                        .tag("label", label.wireName())
                        .register(registry);
            }
        }
    }

    /** Where a report came from. */
    enum Source {
        GITHUB("github"),
        REPORT("report");

        final String tagValue;

        Source(String tagValue) {
            this.tagValue = tagValue;
        }
    }

    void reported(Source source, Label label) {
        reported[source.ordinal() * Label.values().length + label.ordinal()].increment();
    }

    /** A GitHub batch refused: {@code signature} (bad, missing or unverifiable) or {@code malformed}. */
    void refused(String reason) {
        registry.counter(REFUSED, "reason", reason).increment();
    }

    void keyListFetched(boolean success) {
        registry.counter(KEY_LIST_FETCHES, "result", success ? "success" : "failure")
                .increment();
    }
}
