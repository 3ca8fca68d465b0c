package ai.powerpost.gateway.leaks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A signing key as GitHub has them, made in the test: an EC P-256 pair, its identifier (hex of 32
 * random bytes, as GitHub's are) and its public half as the PEM GitHub's list carries; it signs
 * payloads as GitHub does (SHA256withECDSA, DER, base64).
 */
record GithubKeys(String identifier, KeyPair pair) {

    static GithubKeys generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            byte[] id = new byte[32];
            new java.security.SecureRandom().nextBytes(id);
            return new GithubKeys(HexFormat.of().formatHex(id), generator.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    String pem() {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(pair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    String sign(byte[] payload) {
        try {
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(pair.getPrivate());
            signer.update(payload);
            return Base64.getEncoder().encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** GitHub's list holding these keys: {@code {"public_keys":[{"key_identifier","key","is_current"}]}}. */
    static String list(GithubKeys... keys) {
        StringBuilder json = new StringBuilder("{\"public_keys\":[");
        for (int i = 0; i < keys.length; i++) {
            if (i > 0) {
                json.append(',');
            }
            json.append("{\"key_identifier\":\"")
                    .append(keys[i].identifier())
                    .append("\",\"key\":\"")
                    .append(keys[i].pem().replace("\n", "\\n"))
                    .append("\",\"is_current\":")
                    .append(i == 0)
                    .append('}');
        }
        return json.append("]}").toString();
    }
}
