package ai.powerpost.gateway.leaks;

import ai.powerpost.gateway.admin.Changes;
import ai.powerpost.gateway.admin.keys.KeysStore;
import ai.powerpost.gateway.auth.ApiKeyStore;
import ai.powerpost.gateway.auth.KeyTags;
import ai.powerpost.gateway.auth.UntaggedKeys;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Wires the leak intake: its stage is always in the pipeline (a path compare for every request),
 * and each endpoint exists only when its setting switches it on.
 */
@Configuration(proxyBeanMethods = false)
class LeaksConfiguration {

    @Bean
    SecretScanningCheck secretScanningFilter(
            LeaksProperties properties,
            ApiKeyStore store,
            KeyTags tags,
            UntaggedKeys untagged,
            Changes changes,
            KeysStore keys,
            MeterRegistry registry,
            ObjectProvider<ReactorResourceFactory> resources) {
        LeaksProperties.Github github = properties.github();
        LeaksProperties.Report report = properties.report();
        if (!github.enabled() && !report.enabled()) {
            return new SecretScanningCheck(null, null);
        }
        LeakMeters meters = new LeakMeters(registry);
        LeakedKeys leaked = new LeakedKeys(store, tags, untagged, changes, keys, properties.action());
        GithubEndpoint githubEndpoint = null;
        if (github.enabled()) {
            GithubPublicKeys publicKeys = new GithubPublicKeys(
                    keyListClient(resources.getIfAvailable()),
                    github.keysUrl(),
                    github.keysRefetchInterval(),
                    github.keysTimeout(),
                    meters);
            githubEndpoint = new GithubEndpoint(publicKeys, leaked, meters, github.concurrency());
        }
        ReportEndpoint reportEndpoint = report.enabled()
                ? new ReportEndpoint(
                        leaked,
                        new ReportThrottle(report.maxPerAddress(), report.window(), Ticker.systemTicker()),
                        meters)
                : null;
        return new SecretScanningCheck(githubEndpoint, reportEndpoint);
    }

    /**
     * The client that fetches GitHub's key list: on the application's own event loops where it has
     * them (a gateway in a test JVM must not share another's), with no pooled connection (a fetch
     * is rare).
     */
    private static HttpClient keyListClient(@Nullable ReactorResourceFactory resources) {
        HttpClient client = HttpClient.create(ConnectionProvider.newConnection());
        return resources == null ? client : client.runOn(resources.getLoopResources());
    }
}
