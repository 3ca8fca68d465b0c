package ai.powerpost.gateway.auth;

import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * One key-tag secret as configured ({@code gateway.keys.secrets.<id>}): base64 text, decoded on
 * demand. Never shown: {@link #toString()} says only that it is a secret (so a settings report,
 * a log line or a debugger's view never carries it), and there is no accessor for the text.
 * Binding never fails (any text is accepted here); {@link KeySecretsProperties} validates it and
 * reports what is wrong without the value.
 */
public final class KeySecret {

    /** Fewer bytes than this are refused: HMAC-SHA256 needs a key as long as its output. */
    public static final int MIN_BYTES = 32;

    private final String base64;

    /** As Spring binds it from a property (its conversion service calls this constructor). */
    public KeySecret(String base64) {
        this.base64 = base64;
    }

    /** The decoded bytes; null when the text is not base64. */
    @Nullable
    byte[] bytes() {
        try {
            return Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** What is wrong with it, never the value itself; null when it is a usable secret. */
    @Nullable
    String problem() {
        byte[] bytes = bytes();
        if (bytes == null) {
            return "must be base64 of at least " + MIN_BYTES + " random bytes (openssl rand -base64 32), "
                    + "but was not base64";
        }
        if (bytes.length < MIN_BYTES) {
            return "must be base64 of at least " + MIN_BYTES + " random bytes (openssl rand -base64 32), but was "
                    + bytes.length + " bytes";
        }
        return null;
    }

    @Override
    public String toString() {
        return "KeySecret[redacted]";
    }
}
