package ai.powerpost.gateway.usage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NetworksTest {

    @Test
    void ipv4AddressesCountAsTheirSlash24() {
        assertThat(Networks.of("198.51.100.77")).isEqualTo("198.51.100.0/24");
        assertThat(Networks.of("10.0.0.1")).isEqualTo("10.0.0.0/24");
    }

    @Test
    void ipv6AddressesCountAsTheirSlash48() {
        assertThat(Networks.of("2001:db8:1:2::5")).isEqualTo("2001:db8:1::/48");
        assertThat(Networks.of("2001:0db8:00ab:ffff:0:0:0:1")).isEqualTo("2001:db8:ab::/48");
        assertThat(Networks.of("[2001:db8:1::1]")).isEqualTo("2001:db8:1::/48");
        assertThat(Networks.of("fe80:0:0:0:0:0:0:1%eth0")).isEqualTo("fe80:0:0::/48");
    }

    @Test
    void ipv4MappedIpv6AddressesCountAsIpv4() {
        assertThat(Networks.of("::ffff:203.0.113.9")).isEqualTo("203.0.113.0/24");
        assertThat(Networks.of("0:0:0:0:0:ffff:cb00:7109")).isEqualTo("203.0.113.0/24");
    }

    @Test
    void whatIsNotAnAddressIsUnknown() {
        assertThat(Networks.of("unknown")).isEqualTo("unknown");
        assertThat(Networks.of("example.com")).isEqualTo("unknown");
    }
}
