package ai.powerpost.gateway.admin;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/** The management API's source of secrets and ids. */
public final class Drbg {

    private Drbg() {}

    /** DRBG: seeded once, at start-up, then pure computation; no blocking read of /dev/random on an event loop. */
    public static SecureRandom create() {
        try {
            SecureRandom random = SecureRandom.getInstance("DRBG");
            random.nextInt(); // seeds now, not on an event loop at the first call
            return random;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("DRBG SecureRandom is required", e);
        }
    }
}
