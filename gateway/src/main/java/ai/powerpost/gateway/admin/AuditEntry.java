package ai.powerpost.gateway.admin;

import ai.powerpost.gateway.errors.JsonStrings;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One entry of the audit trail: one call that changed, or tried to change, anything. What it
 * holds is ids and names only: never a key, a token, a secret or a hash of any of them.
 *
 * @param id        the stream entry's id ({@code <ms>-<seq>}); null before it is appended
 * @param at        when the call was made (the gateway's clock)
 * @param actor     who made it
 * @param action    what it tried ({@link Action#wireName()})
 * @param target    what it was made to
 * @param outcome   {@link #ATTEMPTED} (written before the change; it stays so only when what
 *                  followed is unknown), {@link #DONE}, {@link #REFUSED} (with its code) or
 *                  {@link #FAILED} (an outage cut the change short: it may be partly made)
 * @param code      the error code of a refusal or failure, otherwise null
 * @param requestId the call's {@code X-Request-Id}
 * @param client    the client's address
 * @param leakUrl   where a key reported as leaked was found, as the report said (GitHub's
 *                  {@code url}: sanitised and bounded by whoever reports it, never the key);
 *                  null on every other entry
 */
public record AuditEntry(
        @Nullable String id,
        Instant at,
        Actor actor,
        String action,
        Target target,
        String outcome,
        @Nullable String code,
        String requestId,
        String client,
        @Nullable String leakUrl) {

    /** An entry of a management call (no leak report). */
    public AuditEntry(
            @Nullable String id,
            Instant at,
            Actor actor,
            String action,
            Target target,
            String outcome,
            @Nullable String code,
            String requestId,
            String client) {
        this(id, at, actor, action, target, outcome, code, requestId, client, null);
    }

    public static final String ATTEMPTED = "attempted";
    public static final String DONE = "done";
    public static final String REFUSED = "refused";
    public static final String FAILED = "failed";

    AuditEntry withId(String id) {
        return new AuditEntry(id, at, actor, action, target, outcome, code, requestId, client, leakUrl);
    }

    AuditEntry withOutcome(String outcome, @Nullable String code) {
        return new AuditEntry(id, at, actor, action, target, outcome, code, requestId, client, leakUrl);
    }

    /** The stream entry's fields, in order; absent values are left out. */
    Map<String, String> fields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("at", Long.toString(at.toEpochMilli()));
        fields.put("actor", actor.id());
        fields.put("actor_name", actor.name());
        fields.put("actor_role", actor.role().wireName());
        fields.put("action", action);
        putIfPresent(fields, "account", target.account());
        putIfPresent(fields, "key_id", target.keyId());
        putIfPresent(fields, "workspace", target.workspace());
        putIfPresent(fields, "operator_id", target.operatorId());
        fields.put("outcome", outcome);
        putIfPresent(fields, "code", code);
        fields.put("request_id", requestId);
        fields.put("client", client);
        putIfPresent(fields, "leak_url", leakUrl);
        return fields;
    }

    /** The entry a stream record holds (lenient: a field missing is read as empty). */
    static AuditEntry fromFields(String id, Map<String, String> fields) {
        long at;
        try {
            at = Long.parseLong(fields.getOrDefault("at", "0"));
        } catch (NumberFormatException e) {
            at = 0;
        }
        Role role = Role.fromWireName(fields.get("actor_role"));
        return new AuditEntry(
                id,
                Instant.ofEpochMilli(at),
                new Actor(
                        fields.getOrDefault("actor", ""),
                        fields.getOrDefault("actor_name", ""),
                        role == null ? Role.VIEWER : role),
                fields.getOrDefault("action", ""),
                new Target(
                        fields.get("account"),
                        fields.get("key_id"),
                        fields.get("workspace"),
                        fields.get("operator_id")),
                fields.getOrDefault("outcome", ATTEMPTED),
                fields.get("code"),
                fields.getOrDefault("request_id", ""),
                fields.getOrDefault("client", ""),
                fields.get("leak_url"));
    }

    /** As the audit API shows it (and, as JSON, the {@code audit} logger writes it). */
    public Map<String, Object> view() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", id);
        view.put("at", at.toString());
        Map<String, Object> who = new LinkedHashMap<>();
        who.put("id", actor.id());
        who.put("name", actor.name());
        who.put("role", actor.role().wireName());
        view.put("actor", who);
        view.put("action", action);
        Map<String, Object> what = new LinkedHashMap<>();
        what.put("account", target.account());
        what.put("key_id", target.keyId());
        what.put("workspace", target.workspace());
        what.put("operator_id", target.operatorId());
        what.values().removeIf(java.util.Objects::isNull);
        view.put("target", what);
        view.put("outcome", outcome);
        view.put("code", code);
        view.put("request_id", requestId);
        view.put("client", client);
        if (leakUrl != null) {
            view.put("leak_url", leakUrl);
        }
        return view;
    }

    /** One line of JSON, as the {@code audit} logger writes it. */
    String json() {
        StringBuilder json = new StringBuilder(256).append('{');
        field(json, "type", "audit");
        field(json, "id", id);
        field(json, "at", at.toString());
        json.append(",\"actor\":{");
        int mark = json.length();
        field(json, "id", actor.id());
        field(json, "name", actor.name());
        field(json, "role", actor.role().wireName());
        fixFirstComma(json, mark);
        json.append('}');
        field(json, "action", action);
        json.append(",\"target\":{");
        mark = json.length();
        field(json, "account", target.account());
        field(json, "key_id", target.keyId());
        field(json, "workspace", target.workspace());
        field(json, "operator_id", target.operatorId());
        fixFirstComma(json, mark);
        json.append('}');
        field(json, "outcome", outcome);
        field(json, "code", code);
        field(json, "request_id", requestId);
        field(json, "client", client);
        field(json, "leak_url", leakUrl);
        fixFirstComma(json, 1);
        return json.append('}').toString();
    }

    private static void field(StringBuilder json, String name, @Nullable String value) {
        if (value != null) {
            json.append(",\"").append(name).append("\":");
            JsonStrings.append(json, value);
        }
    }

    /** Drops the comma that the first field after {@code mark} began with. */
    private static void fixFirstComma(StringBuilder json, int mark) {
        if (json.length() > mark && json.charAt(mark) == ',') {
            json.deleteCharAt(mark);
        }
    }

    private static void putIfPresent(Map<String, String> fields, String name, @Nullable String value) {
        if (value != null) {
            fields.put(name, value);
        }
    }
}
