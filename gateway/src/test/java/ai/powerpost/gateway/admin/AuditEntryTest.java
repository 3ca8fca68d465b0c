package ai.powerpost.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The audit entry's forms: the stream's fields, read back, and the audit logger's JSON line. */
class AuditEntryTest {

    private static final AuditEntry ENTRY = new AuditEntry(
            null,
            Instant.parse("2026-01-31T12:00:00Z"),
            new Actor("op_abc", "alice \"the\" admin", Role.OPERATOR),
            Action.KEY_REVOKE.wireName(),
            Target.key("acct_1", "key_1"),
            AuditEntry.ATTEMPTED,
            null,
            "req-1",
            "10.0.0.7");

    @Test
    void fieldsReadBackAsTheEntry() {
        AuditEntry read = AuditEntry.fromFields("1-0", ENTRY.fields());
        assertThat(read).isEqualTo(ENTRY.withId("1-0"));
        assertThat(ENTRY.fields()).doesNotContainKeys("workspace", "operator_id", "code");
    }

    @Test
    void theLogLineIsOneLineOfJsonWithItsFinalOutcome() {
        String line =
                ENTRY.withId("1-0").withOutcome(AuditEntry.REFUSED, "NOT_FOUND").json();
        assertThat(line)
                .isEqualTo(
                        "{\"type\":\"audit\",\"id\":\"1-0\",\"at\":\"2026-01-31T12:00:00Z\","
                                + "\"actor\":{\"id\":\"op_abc\",\"name\":\"alice \\\"the\\\" admin\",\"role\":\"operator\"},"
                                + "\"action\":\"key.revoke\",\"target\":{\"account\":\"acct_1\",\"key_id\":\"key_1\"},"
                                + "\"outcome\":\"refused\",\"code\":\"NOT_FOUND\",\"request_id\":\"req-1\",\"client\":\"10.0.0.7\"}")
                .doesNotContain("\n");
    }

    @Test
    void aLeakReportsEntryCarriesItsSystemActorAndUrlInEveryForm() {
        AuditEntry leak = new AuditEntry(
                null,
                Instant.parse("2026-01-31T12:00:00Z"),
                Actor.GITHUB_SECRET_SCANNING,
                Action.KEY_LEAK_REVOKE.wireName(),
                Target.key("acct_1", "key_1"),
                AuditEntry.ATTEMPTED,
                null,
                "req-2",
                "192.30.252.1",
                "https://github.com/o/r/blob/abc/.env?x=\"y\"");
        assertThat(AuditEntry.fromFields("2-0", leak.fields())).isEqualTo(leak.withId("2-0"));
        assertThat(leak.fields()).containsEntry("leak_url", "https://github.com/o/r/blob/abc/.env?x=\"y\"");
        assertThat(leak.view()).containsEntry("leak_url", "https://github.com/o/r/blob/abc/.env?x=\"y\"");
        assertThat(leak.withId("2-0").json())
                .contains(
                        "\"actor\":{\"id\":\"github-secret-scanning\",\"name\":\"GitHub secret scanning\",\"role\":\"operator\"}")
                .contains("\"action\":\"key.leak_revoke\"")
                .endsWith(
                        ",\"client\":\"192.30.252.1\",\"leak_url\":\"https://github.com/o/r/blob/abc/.env?x=\\\"y\\\"\"}");
        // every other entry has no such field, in any form
        assertThat(ENTRY.fields()).doesNotContainKey("leak_url");
        assertThat(ENTRY.view()).doesNotContainKey("leak_url");
        assertThat(Action.fromWireName("key.leak_flag")).isEqualTo(Action.KEY_LEAK_FLAG);
    }

    @Test
    void aStreamIdsPredecessorIsTheIdJustBeforeIt() {
        assertThat(AuditStore.predecessor("1700000000000-5")).isEqualTo("1700000000000-4");
        assertThat(AuditStore.predecessor("1700000000000-0")).isEqualTo("1699999999999-18446744073709551615");
        assertThat(AuditStore.predecessor("0-0")).isEmpty();
        assertThat(AuditStore.isEntryId("1700000000000-0")).isTrue();
        assertThat(AuditStore.isEntryId("nope")).isFalse();
    }

    @Test
    void eachRoleIncludesTheOnesBelowIt() {
        assertThat(Role.ADMIN.includes(Role.OPERATOR)).isTrue();
        assertThat(Role.OPERATOR.includes(Role.VIEWER)).isTrue();
        assertThat(Role.VIEWER.includes(Role.OPERATOR)).isFalse();
        assertThat(Role.OPERATOR.includes(Role.ADMIN)).isFalse();
        assertThat(Role.fromWireName("root")).isNull();
        assertThat(Changes.forbidden(Role.OPERATOR).message()).isEqualTo("This call requires role operator");
    }

    @Test
    void operatorTokensAreRecognisableAndHighEntropy() {
        String token = OperatorTokens.generate(Drbg.create());
        assertThat(token).matches("ppgw_op_[A-Za-z0-9]{43}");
        assertThat(OperatorTokens.isWellFormed(token)).isTrue();
        assertThat(OperatorTokens.isWellFormed(token + "x")).isFalse();
        assertThat(OperatorTokens.isWellFormed("pp_live_sk_" + token.substring(8)))
                .isFalse();
        assertThat(OperatorTokens.generate(Drbg.create())).isNotEqualTo(token);
    }
}
