package ai.powerpost.gateway.http;

/**
 * {@link ExpectContinueIT}'s cases (Expect: 100-continue, given only to a request that passed the checks) against the packaged
 * {@code target/gateway.jar}, started as its own process with README's environment variables
 * ({@link HttpLayerFixture#packagedJar}, chosen by {@link HttpLayerTest.AgainstThePackagedJar}): what
 * ships is what is tested.
 */
class ExpectContinueJarIT extends ExpectContinueIT implements HttpLayerTest.AgainstThePackagedJar {}
