package ai.powerpost.gateway.web;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the web package. */
@Configuration(proxyBeanMethods = false)
class WebConfiguration {

    @Bean
    TrustedProxies trustedProxies(EdgeProperties properties) {
        return properties.proxies();
    }
}
