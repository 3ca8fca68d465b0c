package ai.powerpost.gateway.auth;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Keys that prove themselves: a key minted here ends in a tag, a truncated HMAC-SHA256 of the rest
 * of the key under a server secret, so a forged key is recognised with no look-up at all.
 *
 * <pre>
 * pp_live_sk_ RRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR TTTTTT
 *             34 random base-62 (202 bits)       6 base-62: first 8 bytes of
 *                                                HMAC-SHA256(secret, "pp_live_sk_" + R) as unsigned, mod 62^6
 * </pre>
 *
 * A test key ({@code pp_test_sk_}) is made the same way; its prefix is part of what the tag
 * signs, so a live key's tag never verifies with the test prefix, or the reverse.
 *
 * The tag carries log2(62^6) ≈ 35.7 bits: a forger's guess verifies once in 5.7 · 10^10, and only
 * then costs a look-up. A MAC rather than a checksum: anyone can compute a checksum (GitHub's CRC32
 * tells typos from keys, not forgeries from keys); a tag can only be made with the secret, and since
 * HMAC is a pseudo-random function, holding valid keys and their tags teaches nothing about the
 * secret or about the tag of any other key.
 *
 * <p>Several secrets verify (rotation: docs/security.md), one mints. {@code Mac} instances are not
 * thread-safe and costly to make, so each thread keeps its own, one per secret, with its buffers:
 * verifying allocates nothing.
 */
public final class KeyTags {

    /** Random characters before the tag. */
    static final int RANDOM_CHARS = 34;
    /** Tag characters at the end. */
    static final int TAG_CHARS = 6;
    /** Characters after the prefix of a tagged key: as many as the keys of before. */
    public static final int TAGGED_LENGTH = RANDOM_CHARS + TAG_CHARS;

    private static final long TAG_SPACE = pow62(TAG_CHARS);
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final String ALGORITHM = "HmacSHA256";
    private static final int SIGNED_LENGTH = ApiKeys.PREFIX_LENGTH + RANDOM_CHARS;

    private final String[] ids;
    private final SecretKeySpec[] keys;
    private final int minting;
    private final ThreadLocal<Macs> macs;

    public KeyTags(KeySecretsProperties properties) {
        Map<String, KeySecret> sorted = new TreeMap<>(properties.secrets());
        this.ids = sorted.keySet().toArray(String[]::new);
        this.keys = new SecretKeySpec[ids.length];
        for (int i = 0; i < ids.length; i++) {
            byte[] bytes = Objects.requireNonNull(sorted.get(ids[i]).bytes(), "validated at binding");
            keys[i] = new SecretKeySpec(bytes, ALGORITHM);
        }
        this.minting = properties.mintingSecret() == null ? -1 : List.of(ids).indexOf(properties.mintingSecret());
        this.macs = ThreadLocal.withInitial(() -> new Macs(keys));
        macs.get(); // fails now, at start-up, if the JVM had no HMAC-SHA256 (every JVM has it)
    }

    /** A key minted here: the secret shown once, and the id of the secret that tagged it. */
    public record Minted(String key, String secretId) {
        @Override
        public String toString() {
            return "Minted[key=(shown once), secretId=" + secretId + "]";
        }
    }

    /** Whether new keys can be minted (a minting secret is configured). */
    public boolean canMint() {
        return minting >= 0;
    }

    /** The id of the secret that mints; null when none does. */
    public @Nullable String mintingSecretId() {
        return minting >= 0 ? ids[minting] : null;
    }

    /** The ids of every secret accepted for verification, sorted. */
    public List<String> secretIds() {
        return List.of(ids);
    }

    /** A new tagged live key under the minting secret. */
    public Minted mint(SecureRandom random) {
        return mint(random, KeyMode.LIVE);
    }

    /** A new tagged key of {@code mode} under the minting secret. */
    public Minted mint(SecureRandom random, KeyMode mode) {
        if (minting < 0) {
            throw new IllegalStateException("no minting secret: set gateway.keys.minting-secret");
        }
        String signed = mode.prefix() + ApiKeys.randomBase62(random, RANDOM_CHARS);
        char[] tag = new char[TAG_CHARS];
        writeTag(macs.get().tag(minting, signed), tag);
        return new Minted(signed + new String(tag), ids[minting]);
    }

    /**
     * The id of the secret whose tag {@code key} carries; null when none of the secrets tagged it
     * (a forged key, an untagged key, a key of a retired secret). {@code key} must be well-formed
     * ({@link ApiKeys#isWellFormed}).
     */
    public @Nullable String verify(String key) {
        if (ids.length == 0 || key.length() != ApiKeys.PREFIX_LENGTH + TAGGED_LENGTH) {
            return null;
        }
        Macs state = macs.get();
        for (int i = 0; i < ids.length; i++) {
            if (matches(state.tag(i, key), key)) {
                return ids[i];
            }
        }
        return null;
    }

    /** Compares all six characters whatever the first difference (no early exit to time). */
    private static boolean matches(long tag, String key) {
        int difference = 0;
        for (int i = key.length() - 1; i >= SIGNED_LENGTH; i--) {
            difference |= key.charAt(i) - BASE62.charAt((int) (tag % 62));
            tag /= 62;
        }
        return difference == 0;
    }

    private static void writeTag(long tag, char[] out) {
        for (int i = out.length - 1; i >= 0; i--) {
            out[i] = BASE62.charAt((int) (tag % 62));
            tag /= 62;
        }
    }

    private static long pow62(int n) {
        long value = 1;
        for (int i = 0; i < n; i++) {
            value *= 62;
        }
        return value;
    }

    @Override
    public String toString() {
        return "KeyTags[secrets=" + List.of(ids) + ", minting=" + mintingSecretId() + "]";
    }

    /** One thread's MACs (one per secret) and buffers. */
    private static final class Macs {
        private final Mac[] macs;
        private final byte[] input = new byte[SIGNED_LENGTH];
        private final byte[] output = new byte[32];

        Macs(SecretKeySpec[] keys) {
            List<Mac> made = new ArrayList<>(keys.length);
            try {
                for (SecretKeySpec key : keys) {
                    Mac mac = Mac.getInstance(ALGORITHM);
                    mac.init(key);
                    made.add(mac);
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HMAC-SHA256 is required of every JVM", e);
            }
            this.macs = made.toArray(Mac[]::new);
        }

        /** The tag value (0 ≤ tag < 62^6) of the first {@link #SIGNED_LENGTH} characters of {@code key}. */
        long tag(int secret, String key) {
            for (int i = 0; i < SIGNED_LENGTH; i++) {
                input[i] = (byte) key.charAt(i);
            }
            Mac mac = macs[secret];
            mac.update(input);
            try {
                mac.doFinal(output, 0);
            } catch (javax.crypto.ShortBufferException e) {
                throw new IllegalStateException(e);
            }
            long first8 = 0;
            for (int i = 0; i < 8; i++) {
                first8 = (first8 << 8) | (output[i] & 0xff);
            }
            return Long.remainderUnsigned(first8, TAG_SPACE);
        }
    }
}
