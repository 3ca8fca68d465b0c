package ai.powerpost.gateway.web;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * Who the client is. The peer of the TCP connection, unless that peer is a configured proxy
 * (a load balancer in front of the gateway): then the right-most address of
 * {@code X-Forwarded-For} that is not itself a trusted proxy. Client-sent forwarding headers are
 * believed from trusted proxies only, never from the internet (the class of CVE-2025-41235).
 */
public final class TrustedProxies {

    private final List<Cidr> proxies;

    /** @param cidrs trusted proxy networks, e.g. {@code 10.0.0.0/8}; a bare address is a /32 or /128 */
    public TrustedProxies(List<String> cidrs) {
        this.proxies = cidrs.stream().map(Cidr::parse).toList();
    }

    public boolean isEmpty() {
        return proxies.isEmpty();
    }

    /** Whether the connection's peer is a trusted proxy. */
    public boolean peerIsTrusted(ServerHttpRequest request) {
        InetAddress peer = peer(request);
        return peer != null && trusted(peer);
    }

    /** The client's address as text, or {@code "unknown"}. */
    public String clientAddress(ServerHttpRequest request) {
        InetAddress peer = peer(request);
        if (peer == null) {
            return "unknown";
        }
        if (proxies.isEmpty() || !trusted(peer)) {
            return peer.getHostAddress();
        }
        List<String> forwarded = request.getHeaders().get("X-Forwarded-For");
        if (forwarded == null) {
            return peer.getHostAddress();
        }
        String[] hops = String.join(",", forwarded).split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            InetAddress hop = literal(hops[i].trim());
            if (hop == null) {
                break;
            }
            if (!trusted(hop)) {
                return hop.getHostAddress();
            }
        }
        return peer.getHostAddress();
    }

    private boolean trusted(InetAddress address) {
        for (Cidr cidr : proxies) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static @Nullable InetAddress peer(ServerHttpRequest request) {
        InetSocketAddress remote = request.getRemoteAddress();
        return remote == null ? null : remote.getAddress();
    }

    /**
     * Parses an IP literal only, never a name and so never a DNS look-up: four dotted decimal
     * octets, or an IPv6 literal (parsed in its bracketed form, which Java never resolves).
     * Anything else, including shorthand such as {@code 127.1} or {@code 10}, is null.
     */
    static @Nullable InetAddress literal(String text) {
        if (text.isEmpty() || text.length() > 45) {
            return null;
        }
        try {
            if (text.indexOf(':') >= 0) {
                for (int i = 0; i < text.length(); i++) {
                    char c = text.charAt(i);
                    if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                        return null;
                    }
                }
                return InetAddress.getByName("[" + text + "]");
            }
            String[] octets = text.split("\\.", -1);
            if (octets.length != 4) {
                return null;
            }
            byte[] address = new byte[4];
            for (int i = 0; i < 4; i++) {
                String octet = octets[i];
                if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(Character::isDigit)) {
                    return null;
                }
                int value = Integer.parseInt(octet);
                if (value > 255) {
                    return null;
                }
                address[i] = (byte) value;
            }
            return InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    record Cidr(byte[] network, int prefix) {

        static Cidr parse(String text) {
            String[] parts = text.trim().split("/", 2);
            InetAddress address = literal(parts[0]);
            if (address == null) {
                throw new IllegalArgumentException(
                        "trusted proxy must be an IP address or CIDR, but was '" + text + "'");
            }
            int bits = address.getAddress().length * 8;
            int prefix;
            try {
                prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : bits;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("CIDR prefix must be a number, but was '" + text + "'");
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException(
                        "CIDR prefix must be 0-" + bits + ", but was " + prefix + " in '" + text + "'");
            }
            return new Cidr(address.getAddress(), prefix);
        }

        boolean contains(InetAddress address) {
            byte[] candidate = address.getAddress();
            if (candidate.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (candidate[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (candidate[full] & mask) == (network[full] & mask);
        }
    }
}
