package ai.powerpost.gateway.admin;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a missing minting secret into Boot's short start-up report saying what to set. */
class MintingSecretFailureAnalyzer extends AbstractFailureAnalyzer<MintingSecretRequiredException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, MintingSecretRequiredException cause) {
        return new FailureAnalysis(
                cause.getMessage(),
                "Configure a secret and name it as the minting secret: GATEWAY_KEYS_SECRETS_<ID>=<base64 of at "
                        + "least 32 random bytes> (e.g. openssl rand -base64 32) and GATEWAY_KEYS_MINTING_SECRET=<id> "
                        + "(ids: 1-16 characters of [a-z0-9]), or a configtree: mount (docs/security.md); or unset "
                        + "gateway.admin.token to run without the key management API.",
                cause);
    }
}
