package ai.powerpost.gateway.http;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;

/**
 * The HTTP-layer tests that share the default short-timeout gateway of {@link HttpLayerFixture}, one
 * per class: started in this JVM, or, for a class marked {@link AgainstThePackagedJar}, the packaged
 * jar as its own process.
 */
abstract class HttpLayerTest {

    /**
     * Marks a subclass of an in-JVM HTTP-layer test that runs the same cases against
     * {@code target/gateway.jar} ({@link HttpLayerFixture#packagedJar}). One {@code @BeforeAll}
     * chooses by it: a subclass's own static {@code @BeforeAll} would run after this class's, not
     * instead of it, and leave an in-JVM gateway running.
     */
    interface AgainstThePackagedJar {}

    static HttpLayerFixture fixture;

    @BeforeAll
    static void start(TestInfo test) {
        boolean jar = test.getTestClass()
                .map(AgainstThePackagedJar.class::isAssignableFrom)
                .orElse(false);
        fixture = jar ? HttpLayerFixture.packagedJar(Map.of()) : HttpLayerFixture.inJvm(Map.of());
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }
}
