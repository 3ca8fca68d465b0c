package ai.powerpost.gateway.admin;

import ai.powerpost.gateway.auth.ApiKeys;
import java.security.SecureRandom;

/**
 * What an operator token looks like: {@code ppgw_op_} and 43 base-62 characters (256 bits of
 * entropy), recognisable in a leaked file or a secret scanner's findings. Stored only as its
 * SHA-256, as API keys are.
 */
public final class OperatorTokens {

    public static final String PREFIX = "ppgw_op_";
    static final int RANDOM_LENGTH = 43;

    private OperatorTokens() {}

    public static String generate(SecureRandom random) {
        return PREFIX + ApiKeys.randomBase62(random, RANDOM_LENGTH);
    }

    public static boolean isWellFormed(String token) {
        if (token.length() != PREFIX.length() + RANDOM_LENGTH || !token.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < token.length(); i++) {
            char c = token.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
                return false;
            }
        }
        return true;
    }

    /** SHA-256 of the token, lower-case hex: the only form in which it is stored. */
    public static String hash(String token) {
        return ApiKeys.hash(token);
    }
}
