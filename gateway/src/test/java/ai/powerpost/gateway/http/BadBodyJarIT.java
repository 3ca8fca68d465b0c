package ai.powerpost.gateway.http;

/**
 * {@link BadBodyIT}'s cases (bodies that end badly (a chunk broken mid-stream, a client gone mid-body, a stalled or trickling body) never completed upstream) against the packaged
 * {@code target/gateway.jar}, started as its own process with README's environment variables
 * ({@link HttpLayerFixture#packagedJar}, chosen by {@link HttpLayerTest.AgainstThePackagedJar}): what
 * ships is what is tested.
 */
class BadBodyJarIT extends BadBodyIT implements HttpLayerTest.AgainstThePackagedJar {}
