package ai.powerpost.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The one codec of the key record hash: what it writes is byte for byte the schema of
 * docs/redis-schema.md, what it writes it reads back unchanged, and what decides access is read
 * fail closed, the same for the request path and the key management API.
 */
class KeyRecordsTest {

    private static final Instant CREATED = Instant.ofEpochMilli(1_700_000_000_123L);

    private static Map<String, String> valid() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("id", "key_AbCdEfGhIjKlMnOpQrSt");
        fields.put("account_id", "acct_1");
        fields.put("name", "ci");
        fields.put("scopes", "posts:read posts:write");
        fields.put("created_at", "1700000000123");
        return fields;
    }

    private static Map<String, String> with(String field, @org.jspecify.annotations.Nullable String value) {
        Map<String, String> fields = valid();
        if (value == null) {
            fields.remove(field);
        } else {
            fields.put(field, value);
        }
        return fields;
    }

    // ---------------------------------------------------------------- the schema, as written

    @Example
    void aCreatedKeyIsWrittenAsTheSchemaSaysInThisOrder() {
        StoredKey key = StoredKey.created(
                "key_AbCdEfGhIjKlMnOpQrSt",
                "acct_1",
                "ci",
                EnumSet.of(Scope.POSTS_WRITE, Scope.ACCOUNT_READ, Scope.POSTS_READ),
                CREATED.plusNanos(999_999));

        assertThat(KeyRecords.encode(key))
                .containsExactly(
                        Map.entry("id", "key_AbCdEfGhIjKlMnOpQrSt"),
                        Map.entry("account_id", "acct_1"),
                        Map.entry("name", "ci"),
                        Map.entry("scopes", "account:read posts:read posts:write"),
                        Map.entry("created_at", "1700000000123"));
    }

    @Example
    void usageFieldsAreWrittenAsTheFlushWritesThem() {
        Map<Scope, Instant> used = new EnumMap<>(Scope.class);
        used.put(Scope.POSTS_WRITE, Instant.ofEpochMilli(1999));
        used.put(Scope.POSTS_READ, Instant.ofEpochMilli(1998));
        StoredKey key = new StoredKey("key_1", "acct_1", null, Scope.READ_ONLY, null, Instant.ofEpochMilli(1999), used);

        assertThat(KeyRecords.encode(key))
                .containsExactly(
                        Map.entry("id", "key_1"),
                        Map.entry("account_id", "acct_1"),
                        Map.entry("scopes", Scope.join(Scope.READ_ONLY)),
                        Map.entry("last_used_at", "1999"),
                        Map.entry("su:posts:read", "1998"),
                        Map.entry("su:posts:write", "1999"));
        assertThat(KeyRecords.scopeUsedField(Scope.ANALYTICS_READ)).isEqualTo("su:analytics:read");
        assertThat(KeyRecords.timestamp(1_700_000_000_123L)).isEqualTo("1700000000123");
    }

    @Example
    void whatTheRequestPathSeesIsTheRecordsIdentityAndScopes() {
        KeyRecord key = KeyRecords.parse("h1", valid()).orElseThrow();

        assertThat(key)
                .isEqualTo(new KeyRecord(
                        "h1", "key_AbCdEfGhIjKlMnOpQrSt", "acct_1", EnumSet.of(Scope.POSTS_READ, Scope.POSTS_WRITE)));
        assertThat(key.scopesHeader()).isEqualTo("posts:read posts:write");
    }

    @Example
    void everyFieldIsRead() {
        Map<String, String> fields = valid();
        fields.put("last_used_at", "1700000000999");
        fields.put("su:posts:read", "1700000000998");
        StoredKey key = KeyRecords.decode(fields).orElseThrow();

        assertThat(key.name()).isEqualTo("ci");
        assertThat(key.createdAt()).isEqualTo(CREATED);
        assertThat(key.lastUsedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_999L));
        assertThat(key.scopesUsed())
                .containsExactly(Map.entry(Scope.POSTS_READ, Instant.ofEpochMilli(1_700_000_000_998L)));
    }

    @Example
    void noFieldsIsNoKey() {
        assertThat(KeyRecords.decode(Map.of())).isEmpty();
        assertThat(KeyRecords.parse("h1", Map.of())).isEmpty();
    }

    // ---------------------------------------------------------------- legacy records

    @Example
    void legacyTypesMapAsPowerPostMappedThem() {
        assertThat(KeyRecords.decode(with("scopes", null)).map(StoredKey::scopes))
                .isEmpty(); // neither: no key
        Map<String, String> readWrite = with("scopes", null);
        readWrite.put("type", "read_write");
        Map<String, String> readDraft = with("scopes", null);
        readDraft.put("type", "read_draft");

        assertThat(KeyRecords.decode(readWrite).orElseThrow().scopes()).isEqualTo(Scope.FULL_ACCESS);
        assertThat(KeyRecords.decode(readDraft).orElseThrow().scopes()).isEqualTo(Scope.DRAFT_ONLY);
    }

    @Example
    void aRecordWithScopesAndTypeIsReadByScopes() {
        Map<String, String> both = valid();
        both.put("type", "read_write");
        assertThat(KeyRecords.decode(both).orElseThrow().scopes()).containsExactly(Scope.POSTS_READ, Scope.POSTS_WRITE);

        Map<String, String> badScopesGoodType = with("scopes", "posts:read posts:delete");
        badScopesGoodType.put("type", "read_write");
        assertThat(KeyRecords.decode(badScopesGoodType))
                .as("scopes decide, even when unreadable")
                .isEmpty();
    }

    @Example
    void scopesAreSpaceSeparatedWhateverTheRunOfWhitespace() {
        assertThat(KeyRecords.decode(with("scopes", "  posts:read\tposts:write  posts:read "))
                        .orElseThrow()
                        .scopes())
                .containsExactly(Scope.POSTS_READ, Scope.POSTS_WRITE);
    }

    // ---------------------------------------------------------------- fail closed

    /** Each record is one field away from {@link #valid()}; each is no key at all. */
    static List<Map<String, String>> unusable() {
        return List.of(
                with("id", null),
                with("id", ""),
                with("id", "key 1"),
                with("id", "key_1\nforged log line"),
                with("id", "k".repeat(65)),
                with("id", "key_é"),
                with("account_id", null),
                with("account_id", ""),
                with("account_id", "acct/1"),
                with("account_id", "acct_1\r\nX-PowerPost-Account: acct_2"),
                with("account_id", "a".repeat(65)),
                with("scopes", null),
                with("scopes", ""),
                with("scopes", "   "),
                with("scopes", "posts:read posts:delete"),
                with("scopes", "POSTS:READ"),
                with("scopes", "posts:read,posts:write"),
                with("scopes", "admin"),
                with("mode", "sandbox"),
                with("mode", "TEST"),
                with("mode", ""),
                with("expires_at", "tomorrow"),
                with("expires_at", ""),
                with("expires_at", "1.7e12"),
                with("limit_id", "key 1"),
                with("limit_id", ""),
                with("rolled_from", "key_1\nforged"),
                with("rolled_to", "k".repeat(65)));
    }

    @Example
    void theLifecycleFieldsAreWrittenAsTheSchemaSaysAndReachTheRequestPath() {
        StoredKey key = StoredKey.minted(
                "key_B",
                "acct_1",
                "ci",
                Scope.READ_ONLY,
                CREATED,
                "s1",
                KeyMode.TEST,
                Instant.ofEpochMilli(1_800_000_000_000L),
                "key_A",
                "key_A");
        assertThat(KeyRecords.encode(key))
                .containsEntry("mode", "test")
                .containsEntry("expires_at", "1800000000000")
                .containsEntry("limit_id", "key_A")
                .containsEntry("rolled_from", "key_A")
                .doesNotContainKey("rolled_to");
        KeyRecord seen = KeyRecords.parse("h", KeyRecords.encode(key)).orElseThrow();
        assertThat(seen.mode()).isEqualTo(KeyMode.TEST);
        assertThat(seen.expiresAtMillis()).isEqualTo(1_800_000_000_000L);
        assertThat(seen.rateLimitId()).isEqualTo("key_A");
        assertThat(seen.expiredAt(1_799_999_999_999L)).isFalse();
        assertThat(seen.expiredAt(1_800_000_000_000L))
                .as("from its end on, inclusive")
                .isTrue();
    }

    @Example
    void aRecordOfBeforeTheLifecycleIsALiveKeyThatNeverEndsAndSpendsItsOwnAllowance() {
        KeyRecord seen = KeyRecords.parse("h", valid()).orElseThrow();
        assertThat(seen.mode()).isEqualTo(KeyMode.LIVE);
        assertThat(seen.expiresAtMillis()).isEqualTo(KeyRecord.NEVER);
        assertThat(seen.expiredAt(Long.MAX_VALUE - 1)).isFalse();
        assertThat(seen.rateLimitId()).isEqualTo(seen.id());
        assertThat(KeyRecords.encode(KeyRecords.decode(valid()).orElseThrow()))
                .as("a live key is written without a mode, as before")
                .doesNotContainKey("mode");
        assertThat(KeyRecords.decode(with("mode", "live")).orElseThrow().mode()).isEqualTo(KeyMode.LIVE);
    }

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void aRecordWithoutWellFormedIdAccountAndScopesIsNoKey(@ForAll("unusableRecords") Map<String, String> fields) {
        assertThat(KeyRecords.decode(fields)).as("%s", fields).isEmpty();
        assertThat(KeyRecords.parse("h1", fields)).as("%s", fields).isEmpty();
    }

    @Provide
    Arbitrary<Map<String, String>> unusableRecords() {
        return Arbitraries.of(unusable());
    }

    @Example
    void unknownLegacyTypesAreNoKey() {
        for (String type : new String[] {"", "admin", "READ_WRITE", "read_write "}) {
            Map<String, String> fields = with("scopes", null);
            fields.put("type", type);
            assertThat(KeyRecords.decode(fields)).as(type).isEmpty();
        }
    }

    @Example
    void descriptiveFieldsThatAreUnreadableAreAbsentNotFatal() {
        Map<String, String> fields = with("created_at", "yesterday");
        fields.put("last_used_at", "1.5e12");
        fields.put("su:posts:read", "");
        fields.put("su:posts:delete", "1700000000000");
        fields.remove("name");
        StoredKey key = KeyRecords.decode(fields).orElseThrow();

        assertThat(key.name()).isNull();
        assertThat(key.createdAt()).isNull();
        assertThat(key.lastUsedAt()).isNull();
        assertThat(key.scopesUsed()).isEmpty();
        assertThat(key.scopes()).containsExactly(Scope.POSTS_READ, Scope.POSTS_WRITE);
    }

    @Example
    void theWriterCannotStoreWhatTheReaderWouldRefuse() {
        assertThatThrownBy(() -> StoredKey.created("key 1", "acct_1", "x", Scope.READ_ONLY, CREATED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("id");
        assertThatThrownBy(() -> StoredKey.created("key_1", "acct:1", "x", Scope.READ_ONLY, CREATED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("account_id");
        assertThatThrownBy(() -> StoredKey.created("key_1", "acct_1", "x", Set.of(), CREATED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scopes");
    }

    // ---------------------------------------------------------------- properties

    @Property(tries = 2000, generation = GenerationMode.RANDOMIZED)
    void whatIsWrittenIsReadBackUnchanged(@ForAll("keys") StoredKey key) {
        assertThat(KeyRecords.decode(KeyRecords.encode(key))).contains(key);
        assertThat(KeyRecords.parse("h", KeyRecords.encode(key))).contains(key.keyRecord("h"));
    }

    /**
     * Whatever a hash holds, reading it never throws, and what it yields is a record the writer
     * would write as it stands: the reader and the writer apply one rule. (The request path's
     * {@code parse} is {@code decode} plus a log line; the examples above hold it to that.)
     */
    @Property(tries = 5000, generation = GenerationMode.RANDOMIZED)
    void anyHashIsReadWithoutThrowingAndWhatIsReadRoundTrips(@ForAll("hashes") Map<String, String> fields) {
        Optional<StoredKey> read = KeyRecords.decode(fields);

        read.ifPresent(
                key -> assertThat(KeyRecords.decode(KeyRecords.encode(key))).contains(key));
        read.ifPresent(key -> assertThat(StoredKey.isId(key.id()) && StoredKey.isId(key.accountId()))
                .isTrue());
    }

    @Provide
    Arbitrary<StoredKey> keys() {
        Arbitrary<String> ids =
                Arbitraries.strings().withChars("abcXYZ019_-").ofMinLength(1).ofMaxLength(64);
        Arbitrary<Set<Scope>> scopes =
                Arbitraries.of(Scope.class).set().ofMinSize(1).ofMaxSize(Scope.values().length);
        Arbitrary<Instant> times = Arbitraries.longs()
                .between(-62_135_596_800_000L, 253_402_300_799_999L)
                .map(Instant::ofEpochMilli);
        Arbitrary<Instant> maybeTimes = times.injectNull(0.3);
        Arbitrary<String> names = Arbitraries.strings().ofMaxLength(100).injectNull(0.2);
        Arbitrary<Map<Scope, Instant>> used =
                Arbitraries.maps(Arbitraries.of(Scope.class), times).ofMaxSize(14);
        Arbitrary<StoredKey> base = Combinators.combine(ids, ids, names, scopes, maybeTimes, maybeTimes, used)
                .as(StoredKey::new);
        Arbitrary<String> maybeIds = ids.injectNull(0.5);
        return Combinators.combine(base, Arbitraries.of(KeyMode.class), maybeTimes, maybeIds, maybeIds, maybeIds)
                .as((key, mode, ends, limit, from, to) -> new StoredKey(
                        key.id(),
                        key.accountId(),
                        key.name(),
                        key.scopes(),
                        key.createdAt(),
                        key.lastUsedAt(),
                        key.scopesUsed(),
                        key.keySecret(),
                        mode,
                        ends,
                        limit,
                        from,
                        to));
    }

    @Provide
    Arbitrary<Map<String, String>> hashes() {
        Arbitrary<String> field = Arbitraries.of(
                "id",
                "account_id",
                "name",
                "scopes",
                "type",
                "created_at",
                "last_used_at",
                "su:posts:read",
                "su:posts:write",
                "su:nope",
                "su:",
                "mode",
                "expires_at",
                "limit_id",
                "rolled_from",
                "rolled_to",
                "other");
        Arbitrary<String> value = Arbitraries.oneOf(
                Arbitraries.of(
                        "key_1",
                        "acct_1",
                        "",
                        " ",
                        "read_write",
                        "read_draft",
                        "posts:read",
                        "posts:read posts:write",
                        "posts:read posts:nope",
                        "1700000000000",
                        "-1",
                        "x",
                        "9223372036854775807",
                        "9223372036854775808",
                        "key 1",
                        "live",
                        "test",
                        "a\nb"),
                Arbitraries.strings().ofMaxLength(20),
                Arbitraries.of(Scope.class).set().ofMinSize(1).map(Scope::join));
        return Arbitraries.maps(field, value).ofMaxSize(12).map(HashMap::new);
    }
}
