package ai.powerpost.gateway.http;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The HTTP-layer tests that share the default short-timeout gateway of {@link HttpLayerFixture}, one per class. */
abstract class HttpLayerTest {

    static HttpLayerFixture fixture;

    @BeforeAll
    static void start() {
        fixture = HttpLayerFixture.inJvm(Map.of());
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }
}
