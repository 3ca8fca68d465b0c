package ai.powerpost.gateway.http;

/**
 * {@link PipeliningIT}'s cases (pipelined requests proxied, denied and refused, and a pipelined close) against the packaged
 * {@code target/gateway.jar}, started as its own process with README's environment variables
 * ({@link HttpLayerFixture#packagedJar}, chosen by {@link HttpLayerTest.AgainstThePackagedJar}): what
 * ships is what is tested.
 */
class PipeliningJarIT extends PipeliningIT implements HttpLayerTest.AgainstThePackagedJar {}
