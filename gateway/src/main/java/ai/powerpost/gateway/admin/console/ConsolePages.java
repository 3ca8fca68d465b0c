package ai.powerpost.gateway.admin.console;

import static ai.powerpost.gateway.admin.console.Html.escape;

import ai.powerpost.gateway.admin.Actor;
import ai.powerpost.gateway.admin.AuditEntry;
import ai.powerpost.gateway.admin.Role;
import ai.powerpost.gateway.auth.Scope;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The console's pages as HTML strings: one layout (nav: find, audit, sign out), then each page.
 * Every value that is not a constant of this class goes through {@link Html#escape}. Controls the
 * viewer's role does not allow are left out here, and refused by the server anyway.
 */
final class ConsolePages {

    static final String BASE = "/console";
    static final List<String> PRESETS = List.of("full_access", "draft_only", "read_only");
    static final List<String> GRACES = List.of("0", "1h", "24h", "7d");
    static final List<String> EXPIRIES = List.of("", "30d", "90d", "365d");

    private ConsolePages() {}

    /** Who views a page, and the CSRF token its forms carry. */
    record Viewer(Actor actor, String csrf) {
        boolean may(Role role) {
            return actor.role().includes(role);
        }
    }

    static String layout(String title, @Nullable Viewer viewer, String body) {
        StringBuilder html = new StringBuilder(4096);
        html.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>")
                .append(escape(title))
                .append(" · PowerPost console</title><link rel=\"stylesheet\" href=\"")
                .append(BASE)
                .append("/static/console.css\"><script src=\"")
                .append(BASE)
                .append("/static/console.js\" defer></script></head><body><header><a class=\"brand\" href=\"")
                .append(BASE)
                .append("/\">PowerPost console</a>");
        if (viewer != null) {
            html.append("<nav><a href=\"")
                    .append(BASE)
                    .append("/\">Find</a><a href=\"")
                    .append(BASE)
                    .append("/audit\">Audit</a></nav><span class=\"who\">")
                    .append(escape(viewer.actor().name()))
                    .append(" (")
                    .append(escape(viewer.actor().role().wireName()))
                    .append(")</span><form method=\"post\" action=\"")
                    .append(BASE)
                    .append("/sign-out\" class=\"inline\">")
                    .append(csrfField(viewer))
                    .append("<button type=\"submit\" class=\"link\">Sign out</button></form>");
        }
        html.append("</header><main><h1>").append(escape(title)).append("</h1>").append(body);
        return html.append("</main></body></html>").toString();
    }

    static String csrfField(Viewer viewer) {
        return "<input type=\"hidden\" name=\"csrf\" value=\"" + escape(viewer.csrf()) + "\">";
    }

    static String signIn(@Nullable String message) {
        StringBuilder body = new StringBuilder();
        if (message != null) {
            body.append("<p class=\"error\">").append(escape(message)).append("</p>");
        }
        body.append("<form method=\"post\" action=\"")
                .append(BASE)
                .append("/sign-in\" class=\"card\"><label for=\"token\">Operator token</label>")
                .append("<input type=\"password\" id=\"token\" name=\"token\" autocomplete=\"off\" required>")
                .append("<button type=\"submit\">Sign in</button></form>")
                .append("<p class=\"muted\">Your operator token (<code>ppgw_op_…</code>), or the bootstrap token.</p>");
        return layout("Sign in", null, body.toString());
    }

    static String find(Viewer viewer, @Nullable String message) {
        StringBuilder body = new StringBuilder();
        if (message != null) {
            body.append("<p class=\"error\">").append(escape(message)).append("</p>");
        }
        body.append("<div class=\"cards\">")
                .append("<form method=\"get\" action=\"")
                .append(BASE)
                .append("/find\" class=\"card\"><label for=\"account\">Account id</label>")
                .append(
                        "<input id=\"account\" name=\"account\" required><button type=\"submit\">Open account</button></form>")
                .append("<form method=\"get\" action=\"")
                .append(BASE)
                .append("/find\" class=\"card\"><label for=\"key_id\">Key id</label>")
                .append(
                        "<input id=\"key_id\" name=\"key_id\" required><button type=\"submit\">Open key</button></form>")
                .append("<form method=\"post\" action=\"")
                .append(BASE)
                .append("/find\" class=\"card\">")
                .append(csrfField(viewer))
                .append("<label for=\"key\">Paste a key</label>")
                .append("<input type=\"password\" id=\"key\" name=\"key\" autocomplete=\"off\" required>")
                .append("<button type=\"submit\">Find its key</button>")
                .append("<p class=\"muted\">Hashed at once; the key itself is never kept or logged.</p></form></div>");
        return layout("Find", viewer, body.toString());
    }

    /** The scopes as their preset's name when they equal one, else as the list. */
    static String scopesText(List<String> scopes) {
        Set<Scope> set = EnumSet.noneOf(Scope.class);
        for (String name : scopes) {
            Scope scope = Scope.fromWireName(name);
            if (scope == null) {
                return String.join(", ", scopes);
            }
            set.add(scope);
        }
        for (String preset : PRESETS) {
            if (set.equals(Scope.preset(preset))) {
                return preset;
            }
        }
        return String.join(", ", scopes);
    }

    static String account(
            Viewer viewer,
            String accountId,
            List<Map<String, Object>> keys,
            List<String> workspaces,
            @Nullable String notice) {
        StringBuilder body = new StringBuilder();
        if (notice != null) {
            body.append("<p class=\"notice\">").append(escape(notice)).append("</p>");
        }
        body.append("<h2>Keys</h2>");
        if (keys.isEmpty()) {
            body.append("<p class=\"muted\">This account holds no keys.</p>");
        } else {
            body.append("<table class=\"keys\"><thead><tr><th>Name</th><th>Id</th><th>Mode</th><th>Scopes</th>")
                    .append("<th>Created</th><th>Last used</th><th>Expires</th><th>Status</th>");
            if (viewer.may(Role.OPERATOR)) {
                body.append("<th>Actions</th>");
            }
            body.append("</tr></thead><tbody>");
            for (Map<String, Object> key : keys) {
                String id = String.valueOf(key.get("id"));
                body.append("<tr><td>")
                        .append(escape(key.get("name")))
                        .append("</td><td><a href=\"")
                        .append(BASE)
                        .append("/keys/")
                        .append(escape(id))
                        .append("\"><code>")
                        .append(escape(id))
                        .append("</code></a></td><td>")
                        .append(escape(key.get("mode")))
                        .append("</td><td>")
                        .append(escape(scopesText(strings(key.get("scopes")))))
                        .append("</td><td>")
                        .append(escape(orDash(key.get("created_at"))))
                        .append("</td><td>")
                        .append(escape(whenOr(key.get("last_used_at"), "never")))
                        .append("</td><td>")
                        .append(escape(whenOr(key.get("expires_at"), "never")))
                        .append("</td><td>")
                        .append(escape(status(key)))
                        .append("</td>");
                if (viewer.may(Role.OPERATOR)) {
                    body.append("<td class=\"actions\">");
                    if ("active".equals(key.get("status")) && key.get("rolled_to") == null) {
                        body.append("<form method=\"post\" action=\"")
                                .append(BASE)
                                .append("/accounts/")
                                .append(escape(accountId))
                                .append("/keys/")
                                .append(escape(id))
                                .append("/roll\" class=\"inline\">")
                                .append(csrfField(viewer))
                                .append("<select name=\"grace\" aria-label=\"when the old key stops working\">");
                        for (String grace : GRACES) {
                            // 24h preselected: a roll that ends the old key at once breaks every
                            // client still using it, so that takes a deliberate choice
                            body.append("<option value=\"")
                                    .append(grace)
                                    .append("24h".equals(grace) ? "\" selected>" : "\">")
                                    .append("0".equals(grace) ? "old ends now" : "old ends in " + grace)
                                    .append("</option>");
                        }
                        body.append("</select><button type=\"submit\">Roll</button></form>");
                    }
                    body.append("<a class=\"danger\" href=\"")
                            .append(BASE)
                            .append("/accounts/")
                            .append(escape(accountId))
                            .append("/keys/")
                            .append(escape(id))
                            .append("/revoke\">Revoke…</a></td>");
                }
                body.append("</tr>");
            }
            body.append("</tbody></table>");
        }
        body.append("<h2>Workspaces</h2>");
        if (workspaces.isEmpty()) {
            body.append("<p class=\"muted\">No workspaces.</p>");
        } else {
            body.append("<ul>");
            for (String workspace : workspaces) {
                body.append("<li><code>").append(escape(workspace)).append("</code></li>");
            }
            body.append("</ul>");
        }
        if (viewer.may(Role.OPERATOR)) {
            body.append(createForm(viewer, accountId));
        }
        body.append("<p><a href=\"")
                .append(BASE)
                .append("/audit?account=")
                .append(escape(accountId))
                .append("\">This account's audit trail</a></p>");
        return layout("Account " + accountId, viewer, body.toString());
    }

    private static String status(Map<String, Object> key) {
        String status = String.valueOf(key.get("status"));
        if (key.get("rolled_to") != null) {
            return status + ", rolled to " + key.get("rolled_to");
        }
        return status;
    }

    static String createForm(Viewer viewer, String accountId) {
        StringBuilder form = new StringBuilder("<h2>Create a key</h2><form method=\"post\" action=\"")
                .append(BASE)
                .append("/accounts/")
                .append(escape(accountId))
                .append("/keys\" class=\"card create\">")
                .append(csrfField(viewer))
                .append("<label for=\"name\">Name</label><input id=\"name\" name=\"name\" maxlength=\"100\" required>")
                .append("<fieldset><legend>Scopes</legend>");
        for (String preset : PRESETS) {
            form.append("<label class=\"choice\"><input type=\"radio\" name=\"preset\" value=\"")
                    .append(preset)
                    .append("\"")
                    .append("draft_only".equals(preset) ? " checked" : "")
                    .append("> ")
                    .append(preset)
                    .append("</label>");
        }
        form.append(
                        "<label class=\"choice\"><input type=\"radio\" name=\"preset\" value=\"custom\"> the scopes ticked below</label>")
                .append("<div class=\"scopes\">");
        for (Scope scope : Scope.values()) {
            form.append("<label class=\"choice\"><input type=\"checkbox\" name=\"scope\" value=\"")
                    .append(scope.wireName())
                    .append("\"> ")
                    .append(scope.wireName())
                    .append("</label>");
        }
        form.append("</div></fieldset><label for=\"mode\">Mode</label><select id=\"mode\" name=\"mode\">")
                .append("<option value=\"live\">live</option><option value=\"test\">test</option></select>")
                .append("<label for=\"expires_in\">Expires</label><select id=\"expires_in\" name=\"expires_in\">");
        for (String expiry : EXPIRIES) {
            form.append("<option value=\"")
                    .append(expiry)
                    .append("\">")
                    .append(expiry.isEmpty() ? "never (or the gateway's longest lifetime)" : "in " + expiry)
                    .append("</option>");
        }
        return form.append("</select><button type=\"submit\">Create key</button></form>")
                .toString();
    }

    /** The secret, shown this once, with a copy button; or, on a reload, that it is gone. */
    static String secret(Viewer viewer, String accountId, ConsoleSessions.@Nullable OneTime shown) {
        StringBuilder body = new StringBuilder();
        if (shown == null) {
            body.append("<p class=\"notice\">The secret was shown once and is gone. ")
                    .append("If it was not copied, roll or revoke the key and make a new one.</p>");
        } else {
            body.append("<p>")
                    .append(shown.rolledFrom() == null ? "Created key " : "Rolled key ")
                    .append(escape(shown.rolledFrom() == null ? "" : shown.rolledFrom() + " to "))
                    .append("<code>")
                    .append(escape(shown.keyId()))
                    .append("</code> (")
                    .append(escape(shown.name()))
                    .append(").</p><p class=\"warning\">Copy the key now: it is shown this once and never again.</p>")
                    .append("<div class=\"secret\"><code id=\"secret\">")
                    .append(escape(shown.secret()))
                    .append("</code><button type=\"button\" class=\"copy\" data-copy=\"secret\">Copy</button></div>");
        }
        body.append("<p><a href=\"")
                .append(BASE)
                .append("/accounts/")
                .append(escape(accountId))
                .append("\">Back to the account</a></p>");
        return layout(shown == null ? "Key secret" : "Copy your key", viewer, body.toString());
    }

    static String confirmRevoke(Viewer viewer, String accountId, Map<String, Object> key) {
        String id = String.valueOf(key.get("id"));
        String body = "<p>Revoke key <code>" + escape(id) + "</code> (" + escape(key.get("name"))
                + ")? It stops working at once, on every replica. This cannot be undone.</p>"
                + "<form method=\"post\" action=\"" + BASE + "/accounts/" + escape(accountId) + "/keys/" + escape(id)
                + "/revoke\" class=\"inline\">" + csrfField(viewer)
                + "<button type=\"submit\" class=\"danger\">Revoke this key</button></form> <a href=\"" + BASE
                + "/accounts/" + escape(accountId) + "\">Cancel</a>";
        return layout("Revoke key", viewer, body);
    }

    static String key(Viewer viewer, Map<String, Object> key, String usage) {
        String id = String.valueOf(key.get("id"));
        String accountId = String.valueOf(key.get("account_id"));
        List<String> granted = strings(key.get("scopes"));
        Map<String, Object> used = new TreeMap<>();
        if (key.get("scopes_used") instanceof Map<?, ?> map) {
            map.forEach((scope, at) -> used.put(String.valueOf(scope), at));
        }
        StringBuilder body = new StringBuilder("<dl class=\"facts\"><dt>Name</dt><dd>")
                .append(escape(key.get("name")))
                .append("</dd><dt>Account</dt><dd><a href=\"")
                .append(BASE)
                .append("/accounts/")
                .append(escape(accountId))
                .append("\">")
                .append(escape(accountId))
                .append("</a></dd><dt>Mode</dt><dd>")
                .append(escape(key.get("mode")))
                .append("</dd><dt>Status</dt><dd>")
                .append(escape(status(key)))
                .append("</dd><dt>Created</dt><dd>")
                .append(escape(orDash(key.get("created_at"))))
                .append("</dd><dt>Last used</dt><dd>")
                .append(escape(whenOr(key.get("last_used_at"), "never")))
                .append("</dd><dt>Expires</dt><dd>")
                .append(escape(whenOr(key.get("expires_at"), "never")))
                .append("</dd>");
        if (key.get("rolled_from") != null) {
            body.append("<dt>Rolled from</dt><dd><code>")
                    .append(escape(key.get("rolled_from")))
                    .append("</code></dd>");
        }
        body.append("</dl><h2>Scopes: granted and used</h2>");
        List<String> unused =
                granted.stream().filter(scope -> !used.containsKey(scope)).toList();
        if (!unused.isEmpty() && !granted.isEmpty()) {
            body.append("<p class=\"hint\">");
            if (unused.size() == granted.size()) {
                body.append("This key has used none of its scopes yet.");
            } else {
                body.append("Never used ");
                for (int i = 0; i < unused.size(); i++) {
                    body.append(i == 0 ? "" : ", ")
                            .append("<code>")
                            .append(escape(unused.get(i)))
                            .append("</code>");
                }
                body.append(": a narrower key would do.");
            }
            body.append("</p>");
        }
        body.append("<table><thead><tr><th>Scope</th><th>Last used</th></tr></thead><tbody>");
        for (String scope : granted) {
            Object at = used.get(scope);
            body.append("<tr><td><code>")
                    .append(escape(scope))
                    .append("</code></td><td>")
                    .append(at == null ? "<span class=\"muted\">never</span>" : escape(when(at)))
                    .append("</td></tr>");
        }
        body.append("</tbody></table>");
        body.append(usage);
        body.append("<p><a href=\"")
                .append(BASE)
                .append("/audit?account=")
                .append(escape(accountId))
                .append("\">The account's audit trail</a></p>");
        return layout("Key " + id, viewer, body.toString());
    }

    static String audit(
            Viewer viewer,
            @Nullable String account,
            @Nullable String actor,
            @Nullable String action,
            List<AuditEntry> entries,
            @Nullable String message) {
        StringBuilder body = new StringBuilder("<form method=\"get\" action=\"")
                .append(BASE)
                .append("/audit\" class=\"filters\">")
                .append("<label>Account <input name=\"account\" value=\"")
                .append(escape(account))
                .append("\"></label><label>Actor <input name=\"actor\" value=\"")
                .append(escape(actor))
                .append("\"></label><label>Action <input name=\"action\" value=\"")
                .append(escape(action))
                .append("\" placeholder=\"key.create\"></label><button type=\"submit\">Filter</button></form>");
        if (message != null) {
            body.append("<p class=\"error\">").append(escape(message)).append("</p>");
        }
        if (entries.isEmpty()) {
            body.append("<p class=\"muted\">No entries.</p>");
        } else {
            body.append(
                    "<table><thead><tr><th>At</th><th>Actor</th><th>Action</th><th>Target</th><th>Outcome</th></tr></thead><tbody>");
            for (AuditEntry entry : entries) {
                StringBuilder target = new StringBuilder();
                append(target, "account", entry.target().account());
                append(target, "key", entry.target().keyId());
                append(target, "workspace", entry.target().workspace());
                append(target, "operator", entry.target().operatorId());
                body.append("<tr><td class=\"at\">")
                        .append(escape(entry.at()))
                        .append("</td><td>")
                        .append(escape(entry.actor().name()))
                        .append(" <span class=\"muted\">")
                        .append(escape(entry.actor().id()))
                        .append("</span></td><td><code>")
                        .append(escape(entry.action()))
                        .append("</code></td><td>")
                        .append(escape(target.toString()))
                        .append("</td><td>")
                        .append(escape(entry.outcome()))
                        .append(entry.code() == null ? "" : " " + escape(entry.code()))
                        .append("</td></tr>");
            }
            body.append("</tbody></table>");
        }
        return layout("Audit trail", viewer, body.toString());
    }

    static String error(@Nullable Viewer viewer, String title, String message) {
        return layout(
                title,
                viewer,
                "<p class=\"error\">" + escape(message) + "</p><p><a href=\"" + BASE
                        + "/\">Back to the console</a></p>");
    }

    private static void append(StringBuilder target, String label, @Nullable String value) {
        if (value != null) {
            target.append(target.isEmpty() ? "" : " ").append(label).append(' ').append(value);
        }
    }

    private static String orDash(@Nullable Object value) {
        return value == null ? "-" : when(value);
    }

    private static final DateTimeFormatter WHEN =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    /** An instant as a short UTC time ({@code 2026-12-08 02:48 UTC}); anything else as it is. */
    static String when(Object value) {
        try {
            return WHEN.format(Instant.parse(value.toString()));
        } catch (DateTimeParseException e) {
            return value.toString();
        }
    }

    private static String whenOr(@Nullable Object value, String none) {
        return value == null ? none : when(value);
    }

    static List<String> strings(@Nullable Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return List.of();
    }
}
