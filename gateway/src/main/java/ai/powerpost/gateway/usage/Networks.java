package ai.powerpost.gateway.usage;

import io.netty.util.NetUtil;

/**
 * The client network of an address, as usage counts it: {@code /24} for IPv4, {@code /48} for
 * IPv6, an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) as the IPv4 address it maps. A pure
 * function on the address text (no name resolution, so nothing that could block).
 */
final class Networks {

    /** What an address that is not an IP literal (the request state's {@code unknown}) counts as. */
    static final String UNKNOWN = "unknown";

    private Networks() {}

    static String of(String address) {
        String literal =
                address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
        int zone = literal.indexOf('%');
        if (zone >= 0) {
            literal = literal.substring(0, zone);
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(literal);
        if (bytes == null) {
            return UNKNOWN;
        }
        if (bytes.length == 4) {
            return ipv4(bytes, 0);
        }
        if (mappedIpv4(bytes)) {
            return ipv4(bytes, 12);
        }
        return Integer.toHexString(word(bytes, 0)) + ":" + Integer.toHexString(word(bytes, 2)) + ":"
                + Integer.toHexString(word(bytes, 4)) + "::/48";
    }

    private static boolean mappedIpv4(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
    }

    private static String ipv4(byte[] bytes, int at) {
        return (bytes[at] & 0xff) + "." + (bytes[at + 1] & 0xff) + "." + (bytes[at + 2] & 0xff) + ".0/24";
    }

    private static int word(byte[] bytes, int at) {
        return ((bytes[at] & 0xff) << 8) | (bytes[at + 1] & 0xff);
    }
}
