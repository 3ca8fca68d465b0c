package ai.powerpost.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * What an API key looks like and how it is hashed. A key is {@code pp_live_sk_} (live) or
 * {@code pp_test_sk_} (test, {@link KeyMode}) followed by 16 to 128 characters of
 * {@code [A-Za-z0-9]}. Keys made now are 40 characters after the prefix and end in a tag
 * ({@link KeyTags}, which makes them); older keys have no tag.
 */
public final class ApiKeys {

    /** The prefix of live keys; test keys carry {@code pp_test_sk_}, of the same length. */
    public static final String PREFIX = "pp_live_sk_";
    /** The length of either prefix. */
    public static final int PREFIX_LENGTH = PREFIX.length();

    static final int MIN_RANDOM = 16;
    static final int MAX_RANDOM = 128;

    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

    private ApiKeys() {}

    /** Whether {@code key} has the form of a PowerPost key; checked before any look-up. */
    public static boolean isWellFormed(String key) {
        int length = key.length() - PREFIX_LENGTH;
        if (length < MIN_RANDOM || length > MAX_RANDOM || KeyMode.ofKey(key) == null) {
            return false;
        }
        for (int i = PREFIX_LENGTH; i < key.length(); i++) {
            char c = key.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
                return false;
            }
        }
        return true;
    }

    /**
     * One digest per thread: {@code MessageDigest.getInstance} looks the algorithm up in the
     * security providers' tables on every call, which cost more than the hashing itself on the
     * request path. {@code digest} resets it, so nothing of one key is left for the next.
     */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    });

    /** SHA-256 of the key, lower-case hex: the only form in which a key is stored or named. */
    public static String hash(String key) {
        byte[] digest = SHA_256.get().digest(key.getBytes(StandardCharsets.US_ASCII));
        return HexFormat.of().formatHex(digest);
    }

    /** {@code length} random base-62 characters (rejection sampling, so every character is uniform). */
    public static String randomBase62(SecureRandom random, int length) {
        StringBuilder out = new StringBuilder(length);
        while (out.length() < length) {
            int b = random.nextInt() >>> 26; // 6 random bits
            if (b < BASE62.length) {
                out.append(BASE62[b]);
            }
        }
        return out.toString();
    }
}
