package ai.powerpost.gateway.routing;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Applies changes to routes.yml without a restart. Every {@code gateway.routes.reload-interval}
 * it reads the file (following symlinks, so a Kubernetes ConfigMap mount, where the kubelet swaps
 * a {@code ..data} symlink instead of writing the file, is seen like any edit) and compares its
 * digest with the last one. A changed file is parsed and validated as at start-up: a valid one
 * replaces the table atomically (in-flight requests keep the route they matched) and Spring
 * Cloud Gateway's routes are refreshed; an invalid one is refused, the old table keeps serving,
 * the error is logged with the offending entry, and {@code gateway.routes.reloads{result=failure}}
 * counts it. Polling, not a watch service: it is what works across symlink swaps and network
 * file systems, and a read every few seconds costs nothing. File I/O runs on a bounded-elastic
 * thread, never on an event loop.
 */
final class RouteTableReloader implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RouteTableReloader.class);

    private final Path file;
    private final Duration interval;
    private final RouteTableHolder holder;
    private final UnaryOperator<@Nullable String> environment;
    private final ApplicationEventPublisher events;
    private final MeterRegistry meters;
    private volatile byte @Nullable [] lastDigest;
    private volatile @Nullable Disposable schedule;

    RouteTableReloader(
            Path file,
            Duration interval,
            RouteTableHolder holder,
            UnaryOperator<@Nullable String> environment,
            ApplicationEventPublisher events,
            MeterRegistry meters) {
        this.file = file;
        this.interval = interval;
        this.holder = holder;
        this.environment = environment;
        this.events = events;
        this.meters = meters;
        reloads("success");
        reloads("failure");
    }

    @Override
    public void start() {
        lastDigest = digestOrNull();
        schedule = Flux.interval(interval, interval, Schedulers.boundedElastic())
                .onBackpressureDrop()
                .concatMap(
                        tick -> Mono.fromRunnable(this::check)
                                .subscribeOn(Schedulers.boundedElastic())
                                .onErrorResume(e -> {
                                    log.warn("routes file check failed: {}", e.toString());
                                    return Mono.empty();
                                }),
                        0)
                .subscribe();
    }

    /** One check: reload when the content changed. Package-private for tests. */
    void check() {
        byte[] digest = digestOrNull();
        if (digest == null || Arrays.equals(digest, lastDigest)) {
            return;
        }
        lastDigest = digest;
        try {
            RouteTable table = RouteTableParser.load(file, environment);
            holder.replace(table);
            events.publishEvent(new RefreshRoutesEvent(this));
            reloads("success").increment();
            log.info("routes reloaded: {}", table);
        } catch (RouteTableException e) {
            reloads("failure").increment();
            log.error("routes file change refused, the previous routes keep serving: {}", e.getMessage());
        }
    }

    private io.micrometer.core.instrument.Counter reloads(String result) {
        return io.micrometer.core.instrument.Counter.builder("gateway.routes.reloads")
                .description("routes.yml changes applied (success) or refused (failure)")
                .tag("result", result)
                .register(meters);
    }

    private byte @Nullable [] digestOrNull() {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return sha.digest(in.readAllBytes());
        } catch (NoSuchFileException e) {
            return null; // mid-swap or removed: keep serving, look again next time
        } catch (IOException e) {
            log.warn("routes file {} cannot be read: {}", file, e.getClass().getSimpleName());
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        Disposable current = schedule;
        if (current != null) {
            current.dispose();
        }
        schedule = null;
    }

    @Override
    public boolean isRunning() {
        return schedule != null;
    }
}
