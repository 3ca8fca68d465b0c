package ai.powerpost.gateway.web;

import jakarta.validation.constraints.NotNull;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * What the gateway trusts about the network in front of it ({@code gateway.edge.*}).
 *
 * @param trustedProxies networks of the load balancers in front of the gateway, as CIDRs; only their
 *                       {@code X-Forwarded-For} is believed. Empty (the default): the TCP peer is the
 *                       client, and every client-sent forwarding header is discarded. Each entry is an IP
 *                       literal or a CIDR ({@link ProxyAddress}), never a host name; blank entries are ignored.
 */
@Validated
@ConfigurationProperties("gateway.edge")
public record EdgeProperties(@DefaultValue("") @NotNull List<@ProxyAddress String> trustedProxies) {

    public TrustedProxies proxies() {
        return new TrustedProxies(
                trustedProxies.stream().filter(s -> !s.isBlank()).toList());
    }
}
