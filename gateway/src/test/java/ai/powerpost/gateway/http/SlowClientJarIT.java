package ai.powerpost.gateway.http;

/**
 * {@link SlowClientIT}'s cases (slow and silent heads closed by the header timeout, keep-alive idle timeout) against the packaged
 * {@code target/gateway.jar}, started as its own process with README's environment variables
 * ({@link HttpLayerFixture#packagedJar}, chosen by {@link HttpLayerTest.AgainstThePackagedJar}): what
 * ships is what is tested.
 */
class SlowClientJarIT extends SlowClientIT implements HttpLayerTest.AgainstThePackagedJar {}
