package ai.powerpost.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.support.RawHttp;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The per-replica connection cap: new connections past it get a 503 and are closed; established ones carry on. */
class ConnectionLimitIT {

    private static HttpLayerFixture fixture;

    @BeforeAll
    static void start() {
        fixture = HttpLayerFixture.inJvm(
                Map.of("gateway.http.max-connections", 20, "gateway.http.header-timeout", "30s"));
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void connectionsPastTheCapAreRefusedWhileEstablishedOnesAndTheManagementPortKeepWorking() {
        List<RawHttp.Conn> held = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                held.add(RawHttp.open(fixture.port));
            }
            // The gateway's own count, not the kernel's: a connection is ESTABLISHED in /proc as soon
            // as the handshake is done, before the gateway has accepted it; the extra connection
            // could then take a place one of these had not taken yet.
            MeterRegistry meters = fixture.inJvmGateway().bean(MeterRegistry.class);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (meters.get(ConnectionCount.GAUGE).gauge().value() < 20 && System.nanoTime() < deadline) {
                Thread.yield();
            }
            assertThat(meters.get(ConnectionCount.GAUGE).gauge().value())
                    .as("connections the gateway holds")
                    .isEqualTo(20);
            try (RawHttp.Conn extra = RawHttp.open(fixture.port)) {
                RawHttp.Response refused = extra.read();
                assertThat(refused.status()).as("%s", refused).isEqualTo(503);
                assertThat(refused.errorCode()).isEqualTo("SERVICE_UNAVAILABLE");
                assertThat(refused.header("retry-after")).isEqualTo("1");
                assertThat(extra.closesWithin(3000)).isTrue();
            }
            RawHttp.Conn established = held.get(0);
            established.write(fixture.head("GET", "/api/v1/posts/" + HttpLayerFixture.marker()) + "\r\n");
            assertThat(established.read().status())
                    .as("an established connection keeps being served")
                    .isEqualTo(200);
            fixture.inJvmGateway()
                    .management()
                    .get()
                    .uri("/actuator/health/readiness")
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody(Void.class);

            held.remove(0).close();
            held.remove(0).close();
            long until = System.nanoTime() + 5_000_000_000L;
            int status = -1;
            while (status != 200 && System.nanoTime() < until) {
                try (RawHttp.Conn again = RawHttp.open(fixture.port)) {
                    again.write(fixture.head("GET", "/api/v1/posts/" + HttpLayerFixture.marker())
                            + "Connection: close\r\n\r\n");
                    status = again.read().status();
                }
            }
            assertThat(status).as("a place freed is taken again").isEqualTo(200);
        } finally {
            held.forEach(RawHttp.Conn::close);
        }
    }
}
