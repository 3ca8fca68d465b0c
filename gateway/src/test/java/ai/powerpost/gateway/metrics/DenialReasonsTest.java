package ai.powerpost.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.errors.ApiError;
import org.junit.jupiter.api.Test;

class DenialReasonsTest {

    @Test
    void aRedisOutageAndAnOpenBreakerAreTwoReasonsThoughBothAre503ServiceUnavailable() {
        assertThat(ApiError.AUTH_UNAVAILABLE.code()).isEqualTo(ApiError.UPSTREAM_UNAVAILABLE.code());

        assertThat(DenialReasons.of(ApiError.AUTH_UNAVAILABLE)).isEqualTo("auth_unavailable");
        assertThat(DenialReasons.of(ApiError.UPSTREAM_UNAVAILABLE.withRetryAfter(30)))
                .isEqualTo("upstream_unavailable");
        assertThat(DenialReasons.of(ApiError.TOO_MANY_CONNECTIONS)).isEqualTo("unavailable");
    }

    @Test
    void anExpiredKeyIsItsOwnReasonThoughItIsThe401OfAnInvalidOne() {
        assertThat(ApiError.KEY_EXPIRED.code()).isEqualTo(ApiError.INVALID_API_KEY.code());
        assertThat(DenialReasons.of(ApiError.KEY_EXPIRED)).isEqualTo("expired_key");
        assertThat(DenialReasons.of(ApiError.INVALID_API_KEY)).isEqualTo("invalid_key");
        assertThat(DenialReasons.of(ApiError.MISSING_API_KEY)).isEqualTo("missing_key");
    }

    @Test
    void aTestKeyWithoutSandboxIsItsOwnReasonThoughItIs403ForbiddenAsAWorkspaceNotOwned() {
        assertThat(ApiError.TEST_KEY_NO_SANDBOX.code()).isEqualTo(ApiError.WORKSPACE_FORBIDDEN.code());
        assertThat(ApiError.TEST_KEY_NO_SANDBOX.status()).isEqualTo(ApiError.WORKSPACE_FORBIDDEN.status());

        assertThat(DenialReasons.of(ApiError.TEST_KEY_NO_SANDBOX)).isEqualTo("test_key_no_sandbox");
        assertThat(DenialReasons.of(ApiError.WORKSPACE_FORBIDDEN)).isEqualTo("workspace_forbidden");
    }
}
