package ai.powerpost.gateway.http;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link BadBodyIT}'s cases (bodies that end badly (a chunk broken mid-stream, a client gone mid-body, a stalled or trickling body) never completed upstream) against the packaged
 * {@code target/gateway.jar}, started as its own process with README's environment variables
 * ({@link HttpLayerFixture#packagedJar}): what ships is what is tested.
 */
class BadBodyJarIT extends BadBodyIT {

    /** Hides {@link HttpLayerTest#start()}: this class's gateway is the jar. */
    @BeforeAll
    static void start() {
        fixture = HttpLayerFixture.packagedJar(Map.of());
    }
}
