package ai.powerpost.gateway.http;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link SlowClientIT}'s cases (slow and silent heads closed by the header timeout, keep-alive idle timeout) against the packaged
 * {@code target/gateway.jar}, started as its own process with README's environment variables
 * ({@link HttpLayerFixture#packagedJar}): what ships is what is tested.
 */
class SlowClientJarIT extends SlowClientIT {

    /** Hides {@link HttpLayerTest#start()}: this class's gateway is the jar. */
    @BeforeAll
    static void start() {
        fixture = HttpLayerFixture.packagedJar(Map.of());
    }
}
