package ai.powerpost.gateway.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelPipeline;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.netty.NettyPipeline;

/**
 * Puts a {@link ConnectionGuard} on every connection of the public port. A
 * {@link WebServerFactoryCustomizer} of this context, not a {@code NettyServerCustomizer} bean: the
 * management server's child context would pick up such a bean too, and its health checks and
 * scrapes would then count against the public port's connection cap.
 */
@Configuration(proxyBeanMethods = false)
class HttpServerConfiguration {

    @Bean
    WebServerFactoryCustomizer<NettyReactiveWebServerFactory> publicPortConnectionGuard(
            HttpLimitsProperties limits, MeterRegistry meters) {
        ConnectionCount connections = new ConnectionCount(limits.maxConnections(), meters);
        HttpRefusals refusals = new HttpRefusals(meters);
        return factory -> factory.addServerCustomizers(server -> server.doOnChannelInit((observer, channel, remote) -> {
            ChannelPipeline pipeline = channel.pipeline();
            if (pipeline.get(NettyPipeline.HttpCodec) == null) {
                throw new IllegalStateException(
                        "the public port must speak HTTP/1.1 (no HTTP codec in " + pipeline.names() + ")");
            }
            ConnectionGuard guard = new ConnectionGuard(limits, connections, refusals);
            pipeline.addBefore(NettyPipeline.HttpCodec, ConnectionGuard.WATCH_NAME, guard.watch());
            pipeline.addAfter(NettyPipeline.HttpCodec, ConnectionGuard.NAME, guard);
        }));
    }
}
