package ai.powerpost.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** PowerPost's 14 scopes, the three presets and the two legacy key types. */
class ScopeTest {

    // ---------------------------------------------------------------- the scopes

    @Test
    void thereAreFourteenScopes() {
        assertThat(Scope.values()).hasSize(14);
    }

    @Test
    void wireNamesAreTheDocumentedOnesInDocumentedOrder() {
        assertThat(Stream.of(Scope.values()).map(Scope::wireName))
                .containsExactly(
                        "account:read",
                        "content:read",
                        "content:generate",
                        "images:read",
                        "images:generate",
                        "videos:read",
                        "videos:generate",
                        "media:write",
                        "posts:read",
                        "posts:write",
                        "posts:publish",
                        "calendar:read",
                        "calendar:write",
                        "analytics:read");
    }

    @ParameterizedTest
    @EnumSource(Scope.class)
    void wireNameLeadsBackToItsScope(Scope scope) {
        assertThat(Scope.fromWireName(scope.wireName())).isSameAs(scope);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "posts",
                "posts:delete",
                "Posts:Read",
                "POSTS:READ",
                "posts:read ",
                " posts:read",
                "POSTS_READ",
                "posts.read",
                "*"
            })
    void unknownWireNameIsNull(String name) {
        assertThat(Scope.fromWireName(name)).isNull();
    }

    @Test
    void joinWritesWireNamesSpaceSeparatedInDeclarationOrder() {
        assertThat(Scope.join(EnumSet.of(Scope.POSTS_PUBLISH, Scope.ACCOUNT_READ, Scope.CALENDAR_READ)))
                .isEqualTo("account:read posts:publish calendar:read");
    }

    @Test
    void joinOfNoScopeIsEmpty() {
        assertThat(Scope.join(Set.of())).isEmpty();
    }

    // ---------------------------------------------------------------- presets

    @Test
    void fullAccessHasAllFourteenScopes() {
        assertThat(Scope.preset("full_access")).hasSize(14).containsExactlyInAnyOrder(Scope.values());
    }

    @Test
    void draftOnlyLacksExactlyPostsPublish() {
        Set<Scope> draft = Scope.preset("draft_only");

        assertThat(draft).hasSize(13).doesNotContain(Scope.POSTS_PUBLISH);
        assertThat(EnumSet.complementOf(EnumSet.copyOf(draft))).containsExactly(Scope.POSTS_PUBLISH);
    }

    @Test
    void draftOnlyStillCreatesPosts() {
        assertThat(Scope.preset("draft_only")).contains(Scope.POSTS_WRITE, Scope.POSTS_READ, Scope.MEDIA_WRITE);
    }

    @Test
    void readOnlyIsExactlyTheSevenReadScopes() {
        assertThat(Scope.preset("read_only"))
                .containsExactlyInAnyOrder(
                        Scope.ACCOUNT_READ,
                        Scope.CONTENT_READ,
                        Scope.IMAGES_READ,
                        Scope.VIDEOS_READ,
                        Scope.POSTS_READ,
                        Scope.CALENDAR_READ,
                        Scope.ANALYTICS_READ);
    }

    @Test
    void readOnlyCannotUploadMedia() {
        assertThat(Scope.preset("read_only")).doesNotContain(Scope.MEDIA_WRITE);
    }

    @Test
    void presetConstantsAreWhatPresetReturns() {
        assertThat(Scope.preset("full_access")).isSameAs(Scope.FULL_ACCESS);
        assertThat(Scope.preset("draft_only")).isSameAs(Scope.DRAFT_ONLY);
        assertThat(Scope.preset("read_only")).isSameAs(Scope.READ_ONLY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "admin", "FULL_ACCESS", "full-access", "Full access", "read_write", "none"})
    void unknownPresetIsNull(String name) {
        assertThat(Scope.preset(name)).isNull();
    }

    @Test
    void presetsCannotBeModified() {
        assertThatThrownBy(() -> Scope.READ_ONLY.add(Scope.POSTS_PUBLISH))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> Scope.DRAFT_ONLY.add(Scope.POSTS_PUBLISH))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> Scope.FULL_ACCESS.remove(Scope.POSTS_PUBLISH))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    // ---------------------------------------------------------------- legacy key types

    @Test
    void legacyReadWriteIsFullAccess() {
        assertThat(Scope.legacyType("read_write")).isEqualTo(Scope.FULL_ACCESS).hasSize(14);
    }

    @Test
    void legacyReadDraftIsDraftOnly() {
        assertThat(Scope.legacyType("read_draft")).isEqualTo(Scope.DRAFT_ONLY).doesNotContain(Scope.POSTS_PUBLISH);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "read_only", "full_access", "READ_WRITE", "write"})
    void unknownLegacyTypeIsNull(String type) {
        assertThat(Scope.legacyType(type)).isNull();
    }
}
