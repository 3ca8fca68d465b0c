package ai.powerpost.gateway.admin;

/** The key management API is on (an admin token is set) but no secret is named to tag new keys. */
public final class MintingSecretRequiredException extends RuntimeException {

    static final String MESSAGE = "The key management API is on (gateway.admin.token is set), and every key it makes "
            + "is tagged with a secret, but no minting secret is configured (gateway.keys.minting-secret).";

    public MintingSecretRequiredException() {
        super(MESSAGE, null, false, false);
    }
}
