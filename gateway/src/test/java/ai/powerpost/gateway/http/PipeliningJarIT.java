package ai.powerpost.gateway.http;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link PipeliningIT}'s cases (pipelined requests proxied, denied and refused, and a pipelined close) against the packaged
 * {@code target/gateway.jar}, started as its own process with README's environment variables
 * ({@link HttpLayerFixture#packagedJar}): what ships is what is tested.
 */
class PipeliningJarIT extends PipeliningIT {

    /** Hides {@link HttpLayerTest#start()}: this class's gateway is the jar. */
    @BeforeAll
    static void start() {
        fixture = HttpLayerFixture.packagedJar(Map.of());
    }
}
