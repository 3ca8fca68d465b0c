package ai.powerpost.gateway.http;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link ExpectContinueIT}'s cases (Expect: 100-continue, given only to a request that passed the checks) against the packaged
 * {@code target/gateway.jar}, started as its own process with README's environment variables
 * ({@link HttpLayerFixture#packagedJar}): what ships is what is tested.
 */
class ExpectContinueJarIT extends ExpectContinueIT {

    /** Hides {@link HttpLayerTest#start()}: this class's gateway is the jar. */
    @BeforeAll
    static void start() {
        fixture = HttpLayerFixture.packagedJar(Map.of());
    }
}
