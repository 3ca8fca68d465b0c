package ai.powerpost.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A cached key record is compact (docs/key-cache.md, "Memory per key"): keys with the same scopes
 * share one scope set and one header, keys of one account one account id, and the rate-limit id
 * is the key id itself when they are equal; none of it changes what a record says.
 */
class KeyRecordTest {

    @Test
    void keysWithTheSameScopesShareOneSetAndOneHeader() {
        Set<Scope> given = new LinkedHashSet<>(List.of(Scope.POSTS_WRITE, Scope.ACCOUNT_READ, Scope.POSTS_READ));
        KeyRecord first = new KeyRecord("h1", "key_1", "acct_1", given);
        KeyRecord second = new KeyRecord("h2", "key_2", "acct_2", EnumSet.copyOf(given));
        assertThat(second.scopes()).isSameAs(first.scopes()).isEqualTo(given);
        assertThat(second.scopesHeader()).isSameAs(first.scopesHeader());
        assertThat(first.scopesHeader()).isEqualTo("account:read posts:read posts:write"); // declaration order
        assertThat(first.allows(Scope.POSTS_WRITE)).isTrue();
        assertThat(first.allows(Scope.POSTS_PUBLISH)).isFalse();
        assertThat(new KeyRecord("h3", "key_3", "acct_3", Scope.READ_ONLY).scopes())
                .isNotSameAs(first.scopes())
                .isEqualTo(Scope.READ_ONLY);
    }

    @Test
    void theSharedScopeSetCannotBeChanged() {
        KeyRecord key = new KeyRecord("h1", "key_1", "acct_1", EnumSet.of(Scope.POSTS_READ));
        assertThatThrownBy(() -> key.scopes().add(Scope.POSTS_PUBLISH))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void keysOfOneAccountShareItsIdAndAKeySpendingItsOwnAllowanceHoldsOneId() {
        String id = new String("key_1");
        KeyRecord first = new KeyRecord("h1", id, new String("acct_shared"), Scope.READ_ONLY);
        KeyRecord second = new KeyRecord("h2", "key_2", new String("acct_shared"), Scope.READ_ONLY);
        assertThat(second.accountId()).isSameAs(first.accountId()).isEqualTo("acct_shared");
        KeyRecord own =
                new KeyRecord("h1", id, "acct_1", Scope.READ_ONLY, KeyMode.LIVE, KeyRecord.NEVER, new String("key_1"));
        assertThat(own.rateLimitId()).isSameAs(own.id());
        KeyRecord rolled = new KeyRecord("h1", id, "acct_1", Scope.READ_ONLY, KeyMode.LIVE, KeyRecord.NEVER, "key_0");
        assertThat(rolled.rateLimitId()).isEqualTo("key_0");
    }

    @Test
    void aRecordIsEqualToOneBuiltFromTheSameValues() {
        KeyRecord a = new KeyRecord("h1", "key_1", "acct_1", Set.of(Scope.POSTS_READ, Scope.ACCOUNT_READ));
        KeyRecord b = new KeyRecord(
                "h1",
                "key_1",
                "acct_1",
                Set.of(Scope.ACCOUNT_READ, Scope.POSTS_READ),
                KeyMode.LIVE,
                KeyRecord.NEVER,
                "key_1");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    }
}
