package ai.powerpost.gateway.admin.console;

import ai.powerpost.gateway.admin.Actor;
import ai.powerpost.gateway.admin.AuditStore;
import ai.powerpost.gateway.admin.Caller;
import ai.powerpost.gateway.admin.Changes;
import ai.powerpost.gateway.admin.OperatorSignIn;
import ai.powerpost.gateway.admin.Role;
import ai.powerpost.gateway.admin.keys.KeysHandler;
import ai.powerpost.gateway.auth.ApiKeys;
import ai.powerpost.gateway.errors.ApiError;
import ai.powerpost.gateway.usage.UsageQueries;
import ai.powerpost.gateway.web.TrustedProxies;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The console's routes, on the management port under {@code /console/}:
 * <pre>
 * GET  /console/sign-in, POST /console/sign-in (token)     → a session cookie, then /console/
 * POST /console/sign-out
 * GET  /console/                                           find: account id, key id; POST /console/find a pasted key
 * GET  /console/accounts/{accountId}                       keys, workspaces, create (operator)
 * POST /console/accounts/{accountId}/keys                  create (operator), then GET …/secret shows it once
 * POST /console/accounts/{accountId}/keys/{keyId}/roll     roll with a grace (operator), then …/secret
 * GET  /console/accounts/{accountId}/keys/{keyId}/revoke   the confirmation; POST it to revoke (operator)
 * GET  /console/keys/{keyId}                               granted vs used scopes, usage, findings
 * GET  /console/audit?account=&amp;actor=&amp;action=      the trail
 * </pre>
 * Every response carries the console's security headers; every page but sign-in needs a live
 * session (the actor re-read on each request); every POST is refused (403, nothing changed) unless
 * it is same-origin ({@code Origin}, {@code Sec-Fetch-Site}) and, after sign-in, carries the
 * session's CSRF token. Changes go through {@link Changes} as the JSON API's do, the session's actor
 * as the audit entry's actor.
 */
final class ConsoleHandler {

    private static final Logger log = LoggerFactory.getLogger(ConsoleHandler.class);

    static final String COOKIE = "ppgw_console";
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
    private static final String VIEWER = ConsoleHandler.class.getName() + ".viewer";
    private static final String SESSION = ConsoleHandler.class.getName() + ".session";
    private static final MediaType HTML = new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8);
    private static final int USAGE_DAYS = 30;
    private static final int AUDIT_PAGE = 100;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final ConsoleSessions sessions;
    private final OperatorSignIn signIn;
    private final KeysHandler keys;
    private final AuditStore audit;
    private final ObjectProvider<UsageQueries> usage;
    private final TrustedProxies proxies;
    private final String css = asset("console/console.css");
    private final String js = asset("console/console.js");

    ConsoleHandler(
            ConsoleSessions sessions,
            OperatorSignIn signIn,
            KeysHandler keys,
            AuditStore audit,
            ObjectProvider<UsageQueries> usage,
            TrustedProxies proxies) {
        this.sessions = sessions;
        this.signIn = signIn;
        this.keys = keys;
        this.audit = audit;
        this.usage = usage;
        this.proxies = proxies;
    }

    RouterFunction<ServerResponse> routes() {
        RouterFunction<ServerResponse> signedIn = RouterFunctions.route()
                .GET("/console/", request -> page(request, ConsolePages.find(viewer(request), null)))
                .GET("/console/find", this::find)
                .POST("/console/find", this::findPasted)
                .POST("/console/sign-out", this::signOut)
                .GET("/console/accounts/{accountId}", this::account)
                .POST("/console/accounts/{accountId}/keys", this::create)
                .GET("/console/accounts/{accountId}/secret", this::secret)
                .POST("/console/accounts/{accountId}/keys/{keyId}/roll", this::roll)
                .GET("/console/accounts/{accountId}/keys/{keyId}/revoke", this::confirmRevoke)
                .POST("/console/accounts/{accountId}/keys/{keyId}/revoke", this::revoke)
                .GET("/console/keys/{keyId}", this::key)
                .GET("/console/audit", this::audit)
                .build()
                .filter(this::session);
        return RouterFunctions.route()
                .GET("/console", request -> redirect("/console/"))
                .GET("/console/static/console.css", request -> text(css, "text/css"))
                .GET("/console/static/console.js", request -> text(js, "text/javascript"))
                .GET("/console/sign-in", request -> page(request, ConsolePages.signIn(null)))
                .POST("/console/sign-in", this::signIn)
                .build()
                .and(signedIn)
                .and(RouterFunctions.route(
                        request -> request.path().startsWith("/console/"),
                        request -> page(
                                request, HttpStatus.NOT_FOUND, ConsolePages.error(null, "Not found", "No such page."))))
                .filter(ConsoleHandler::failures)
                .filter(ConsoleHandler::securityHeaders);
    }

    /**
     * A page that cannot be made (Redis unreachable, say) is a 503 page, logged with the failure's
     * class only; a change that failed part-way was already recorded as {@code failed} by {@link Changes}.
     */
    private static Mono<ServerResponse> failures(ServerRequest request, HandlerFunction<ServerResponse> next) {
        return next.handle(request).onErrorResume(e -> {
            log.warn("console: a {} failed ({})", request.method(), e.getClass().getSimpleName());
            return page(
                    request,
                    HttpStatus.SERVICE_UNAVAILABLE,
                    ConsolePages.error(
                            viewerOrNull(request),
                            "Unavailable",
                            "The gateway cannot reach its store just now; nothing was changed unless the audit trail says so. Try again."));
        });
    }

    // ---- the filters ---------------------------------------------------------------------------

    private static Mono<ServerResponse> securityHeaders(ServerRequest request, HandlerFunction<ServerResponse> next) {
        HttpHeaders headers = request.exchange().getResponse().getHeaders();
        headers.set("Content-Security-Policy", CSP);
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("X-Frame-Options", "DENY");
        headers.set(HttpHeaders.CACHE_CONTROL, "no-store");
        return next.handle(request);
    }

    /**
     * A live session (its actor re-read: a revoked or expired operator is signed out), and for a
     * POST a same-origin request carrying the session's CSRF token.
     */
    private Mono<ServerResponse> session(ServerRequest request, HandlerFunction<ServerResponse> next) {
        ConsoleSessions.Session session = sessions.find(cookie(request));
        boolean post = HttpMethod.POST.equals(request.method());
        if (session == null) {
            return post
                    ? forbidden(request, null, "Your session has ended; sign in again.")
                    : redirect("/console/sign-in");
        }
        if (post && !sameOrigin(request)) {
            return forbidden(request, null, "A change must come from the console's own pages.");
        }
        return signIn.current(session.actorId())
                .flatMap(actor -> {
                    ConsolePages.Viewer viewer = new ConsolePages.Viewer(actor, session.csrf());
                    request.attributes().put(VIEWER, viewer);
                    request.attributes().put(SESSION, session);
                    if (!post) {
                        return next.handle(request);
                    }
                    return request.formData()
                            .flatMap(form -> session.csrfMatches(form.getFirst("csrf"))
                                    ? next.handle(request)
                                    : forbidden(
                                            request,
                                            viewer,
                                            "The form's CSRF token is missing or wrong; reload the page."));
                })
                .switchIfEmpty(Mono.defer(() -> {
                    sessions.close(session.id());
                    return redirectSignedOut(request, post);
                }));
    }

    private Mono<ServerResponse> redirectSignedOut(ServerRequest request, boolean post) {
        return post ? forbidden(request, null, "You are signed out; sign in again.") : redirect("/console/sign-in");
    }

    /**
     * Whether a POST comes from this origin: {@code Sec-Fetch-Site}, when sent, is
     * {@code same-origin} (or {@code none}: typed by the user), and {@code Origin}, when sent, is
     * this request's own scheme, host and port. {@code Origin: null} is what a browser sends for a
     * form of a page served with {@code Referrer-Policy: no-referrer} (ours): it is accepted only
     * beside {@code Sec-Fetch-Site: same-origin}, which the browser sets itself.
     */
    static boolean sameOrigin(ServerRequest request) {
        HttpHeaders headers = request.headers().asHttpHeaders();
        String site = headers.getFirst("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            return false;
        }
        String origin = headers.getFirst(HttpHeaders.ORIGIN);
        if (origin == null) {
            return true;
        }
        if (origin.equals("null")) {
            return "same-origin".equals(site);
        }
        String host = headers.getFirst(HttpHeaders.HOST);
        if (host == null) {
            return false;
        }
        return origin.equalsIgnoreCase(request.uri().getScheme() + "://" + host);
    }

    // ---- sign-in -------------------------------------------------------------------------------

    private Mono<ServerResponse> signIn(ServerRequest request) {
        if (!sameOrigin(request)) {
            return forbidden(request, null, "Sign in from the console's own page.");
        }
        String client = proxies.clientAddress(request.exchange().getRequest());
        return request.formData().flatMap(form -> {
            String token = form.getFirst("token");
            if (token == null || token.isBlank()) {
                return page(request, HttpStatus.UNAUTHORIZED, ConsolePages.signIn("Give your operator token."));
            }
            return signIn.signIn(token, client).flatMap(outcome -> {
                Actor actor = outcome.actor();
                if (outcome.throttled()) {
                    return page(
                            request,
                            HttpStatus.TOO_MANY_REQUESTS,
                            ConsolePages.signIn("Too many failed attempts from your address; wait and try again."));
                }
                if (actor == null) {
                    return page(request, HttpStatus.UNAUTHORIZED, ConsolePages.signIn("That token is not accepted."));
                }
                ConsoleSessions.Session session = sessions.open(actor.id());
                return ServerResponse.seeOther(URI.create("/console/"))
                        .cookie(sessionCookie(request, session.id(), null))
                        .build();
            });
        });
    }

    private Mono<ServerResponse> signOut(ServerRequest request) {
        sessions.close(session(request).id());
        return ServerResponse.seeOther(URI.create("/console/sign-in"))
                .cookie(sessionCookie(request, "", Duration.ZERO))
                .build();
    }

    private ResponseCookie sessionCookie(ServerRequest request, String value, @Nullable Duration maxAge) {
        ResponseCookie.ResponseCookieBuilder cookie = ResponseCookie.from(COOKIE, value)
                .httpOnly(true)
                .sameSite("Strict")
                .path("/console")
                .secure(overTls(request.exchange().getRequest()));
        if (maxAge != null) {
            cookie.maxAge(maxAge);
        }
        return cookie.build();
    }

    /** Served over TLS: by this gateway, or by a trusted proxy in front of it that says so. */
    private boolean overTls(ServerHttpRequest request) {
        if (request.getSslInfo() != null) {
            return true;
        }
        return proxies.peerIsTrusted(request)
                && "https".equalsIgnoreCase(request.getHeaders().getFirst("X-Forwarded-Proto"));
    }

    private static @Nullable String cookie(ServerRequest request) {
        HttpCookie cookie = request.cookies().getFirst(COOKIE);
        return cookie == null ? null : cookie.getValue();
    }

    // ---- find ----------------------------------------------------------------------------------

    private Mono<ServerResponse> find(ServerRequest request) {
        String account = request.queryParam("account").map(String::strip).orElse("");
        String keyId = request.queryParam("key_id").map(String::strip).orElse("");
        if (!account.isEmpty()) {
            return isId(account)
                    ? redirect("/console/accounts/" + account)
                    : page(
                            request,
                            HttpStatus.BAD_REQUEST,
                            ConsolePages.find(viewer(request), "An account id is 1-64 characters of A-Z a-z 0-9 _ -."));
        }
        if (!keyId.isEmpty()) {
            return keys.key(keyId)
                    .flatMap(found -> redirect("/console/keys/" + found.get("id")))
                    .switchIfEmpty(Mono.defer(() -> page(
                            request,
                            HttpStatus.NOT_FOUND,
                            ConsolePages.find(viewer(request), "No active key has that id."))));
        }
        return page(request, ConsolePages.find(viewer(request), null));
    }

    /** A pasted key: hashed at once, looked up by its hash; the key itself is dropped here. */
    private Mono<ServerResponse> findPasted(ServerRequest request) {
        return request.formData().flatMap(form -> {
            String pasted = form.getFirst("key");
            String hash = pasted == null || pasted.isBlank() ? null : ApiKeys.hash(pasted.strip());
            if (hash == null) {
                return page(request, HttpStatus.BAD_REQUEST, ConsolePages.find(viewer(request), "Paste a key."));
            }
            return keys.keyOfHash(hash)
                    .flatMap(found -> redirect("/console/keys/" + found.get("id")))
                    .switchIfEmpty(Mono.defer(() -> page(
                            request,
                            HttpStatus.NOT_FOUND,
                            ConsolePages.find(viewer(request), "No key has that secret."))));
        });
    }

    // ---- an account ----------------------------------------------------------------------------

    private Mono<ServerResponse> account(ServerRequest request) {
        String accountId = request.pathVariable("accountId");
        if (!isId(accountId)) {
            return notFound(request);
        }
        String notice = switch (request.queryParam("done").orElse("")) {
            case "revoked" -> "The key was revoked.";
            default -> null;
        };
        return keys.keys(accountId)
                .collectList()
                .zipWith(keys.workspaces(accountId).collectList())
                .flatMap(both -> page(
                        request, ConsolePages.account(viewer(request), accountId, both.getT1(), both.getT2(), notice)));
    }

    private Mono<ServerResponse> create(ServerRequest request) {
        String accountId = request.pathVariable("accountId");
        return request.formData().flatMap(form -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", Objects.requireNonNullElse(form.getFirst("name"), ""));
            String preset = form.getFirst("preset");
            if (preset == null || preset.equals("custom")) {
                body.put("scopes", new ArrayList<>(Objects.requireNonNullElse(form.get("scope"), List.of())));
            } else {
                body.put("preset", preset);
            }
            String mode = form.getFirst("mode");
            if (mode != null && !mode.isEmpty()) {
                body.put("mode", mode);
            }
            String expiresIn = form.getFirst("expires_in");
            if (expiresIn != null && !expiresIn.isEmpty()) {
                body.put("expires_in", expiresIn);
            }
            return keys.create(caller(request), accountId, body).flatMap(result -> shown(request, accountId, result));
        });
    }

    private Mono<ServerResponse> roll(ServerRequest request) {
        String accountId = request.pathVariable("accountId");
        String keyId = request.pathVariable("keyId");
        return request.formData().flatMap(form -> {
            String grace = Objects.requireNonNullElse(form.getFirst("grace"), "");
            if (!ConsolePages.GRACES.contains(grace)) {
                return page(
                        request,
                        HttpStatus.BAD_REQUEST,
                        ConsolePages.error(viewer(request), "Not rolled", "Choose when the old key ends."));
            }
            return keys.roll(caller(request), accountId, keyId, Map.of("expire_previous_in", grace))
                    .flatMap(result -> shown(request, accountId, result));
        });
    }

    /** A creation's or roll's result: the secret kept in the session for the one page that shows it. */
    private Mono<ServerResponse> shown(ServerRequest request, String accountId, Changes.Result result) {
        if (result instanceof Changes.Done done && done.body() instanceof Map<?, ?> created) {
            session(request)
                    .keepSecret(new ConsoleSessions.OneTime(
                            accountId,
                            String.valueOf(created.get("id")),
                            String.valueOf(created.get("name")),
                            String.valueOf(created.get("key")),
                            created.get("rolled_from") == null ? null : String.valueOf(created.get("rolled_from")),
                            sessions.now().plus(ConsoleSessions.SECRET_WAIT)));
            return redirect("/console/accounts/" + accountId + "/secret");
        }
        return refused(request, result);
    }

    private Mono<ServerResponse> secret(ServerRequest request) {
        String accountId = request.pathVariable("accountId");
        ConsoleSessions.OneTime shown = session(request).takeSecret(sessions.now());
        if (shown != null && !shown.accountId().equals(accountId)) {
            shown = null;
        }
        return page(request, ConsolePages.secret(viewer(request), accountId, shown));
    }

    private Mono<ServerResponse> confirmRevoke(ServerRequest request) {
        String accountId = request.pathVariable("accountId");
        String keyId = request.pathVariable("keyId");
        ConsolePages.Viewer viewer = viewer(request);
        if (!viewer.may(Role.OPERATOR)) {
            return page(
                    request,
                    HttpStatus.FORBIDDEN,
                    ConsolePages.error(
                            viewer,
                            "Forbidden",
                            Changes.forbidden(Role.OPERATOR).message()));
        }
        return keys.key(keyId)
                .filter(found -> accountId.equals(found.get("account_id")))
                .flatMap(found -> page(request, ConsolePages.confirmRevoke(viewer, accountId, found)))
                .switchIfEmpty(Mono.defer(() -> notFound(request)));
    }

    private Mono<ServerResponse> revoke(ServerRequest request) {
        String accountId = request.pathVariable("accountId");
        String keyId = request.pathVariable("keyId");
        return keys.revoke(caller(request), accountId, keyId)
                .flatMap(result -> result instanceof Changes.Done
                        ? redirect("/console/accounts/" + accountId + "?done=revoked")
                        : refused(request, result));
    }

    // ---- a key ---------------------------------------------------------------------------------

    private Mono<ServerResponse> key(ServerRequest request) {
        String keyId = request.pathVariable("keyId");
        return keys.key(keyId)
                .flatMap(found -> usageSections(String.valueOf(found.get("account_id")), keyId)
                        .flatMap(usageHtml -> page(request, ConsolePages.key(viewer(request), found, usageHtml))))
                .switchIfEmpty(Mono.defer(() -> notFound(request)));
    }

    private Mono<String> usageSections(String accountId, String keyId) {
        UsageQueries queries = usage.getIfAvailable();
        if (queries == null) {
            return Mono.just(UsageView.notRecorded());
        }
        Instant since = Instant.now().minus(Duration.ofDays(USAGE_DAYS));
        return queries.usage(accountId, keyId, USAGE_DAYS)
                .zipWith(queries.findingsOfKey(keyId, since).take(100).collectList())
                .map(both -> UsageView.render(both.getT1(), both.getT2()))
                .defaultIfEmpty(UsageView.notRecorded())
                .onErrorResume(e -> {
                    log.warn(
                            "console: the key's usage could not be read ({})",
                            e.getClass().getSimpleName());
                    return Mono.just(UsageView.unavailable());
                });
    }

    // ---- the audit trail -----------------------------------------------------------------------

    private Mono<ServerResponse> audit(ServerRequest request) {
        String account = filter(request, "account");
        String actor = filter(request, "actor");
        String action = filter(request, "action");
        boolean malformed = (account != null && !isId(account))
                || (actor != null && !isId(actor))
                || (action != null && !action.matches("[a-z_.]{1,64}"));
        if (malformed) {
            return page(
                    request,
                    HttpStatus.BAD_REQUEST,
                    ConsolePages.audit(
                            viewer(request),
                            account,
                            actor,
                            action,
                            List.of(),
                            "A filter is malformed: ids are 1-64 characters of A-Z a-z 0-9 _ -, actions like key.create."));
        }
        return audit.query(new AuditStore.Query(account, actor, action, null, AUDIT_PAGE, null))
                .flatMap(found -> page(
                        request, ConsolePages.audit(viewer(request), account, actor, action, found.entries(), null)));
    }

    private static @Nullable String filter(ServerRequest request, String name) {
        String value = request.queryParam(name).map(String::strip).orElse("");
        return value.isEmpty() ? null : value;
    }

    // ---- answers -------------------------------------------------------------------------------

    private Mono<ServerResponse> refused(ServerRequest request, Changes.Result result) {
        ApiError error = result instanceof Changes.Refused refused ? refused.error() : ApiError.NOT_FOUND;
        String title = error.status() == HttpStatus.FORBIDDEN ? "Forbidden" : "Not done";
        return page(request, error.status(), ConsolePages.error(viewer(request), title, error.message()));
    }

    private Mono<ServerResponse> forbidden(
            ServerRequest request, ConsolePages.@Nullable Viewer viewer, String message) {
        return page(request, HttpStatus.FORBIDDEN, ConsolePages.error(viewer, "Forbidden", message));
    }

    private Mono<ServerResponse> notFound(ServerRequest request) {
        return page(
                request,
                HttpStatus.NOT_FOUND,
                ConsolePages.error(viewerOrNull(request), "Not found", "No such account or key."));
    }

    private static Mono<ServerResponse> page(ServerRequest request, String html) {
        return page(request, HttpStatus.OK, html);
    }

    private static Mono<ServerResponse> page(ServerRequest request, HttpStatusCode status, String html) {
        return ServerResponse.status(status).contentType(HTML).bodyValue(html);
    }

    private static Mono<ServerResponse> redirect(String path) {
        return ServerResponse.seeOther(URI.create(path)).build();
    }

    private static Mono<ServerResponse> text(String body, String type) {
        return ServerResponse.ok()
                .contentType(MediaType.parseMediaType(type + ";charset=utf-8"))
                .bodyValue(body);
    }

    /** A static file of the console's, read once at start-up (not on an event loop). */
    private static String asset(String path) {
        try (var in = new ClassPathResource(path).getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("the console's " + path + " is missing", e);
        }
    }

    private static ConsolePages.Viewer viewer(ServerRequest request) {
        return Objects.requireNonNull(viewerOrNull(request));
    }

    private static ConsolePages.@Nullable Viewer viewerOrNull(ServerRequest request) {
        return request.attributes().get(VIEWER) instanceof ConsolePages.Viewer viewer ? viewer : null;
    }

    private static ConsoleSessions.Session session(ServerRequest request) {
        return (ConsoleSessions.Session)
                Objects.requireNonNull(request.attributes().get(SESSION));
    }

    private Caller caller(ServerRequest request) {
        return new Caller(
                viewer(request).actor(),
                requestId(),
                proxies.clientAddress(request.exchange().getRequest()));
    }

    private static String requestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] id = new char[32];
        for (int i = 0; i < id.length; i += 16) {
            long bits = random.nextLong();
            for (int j = 0; j < 16; j++) {
                id[i + j] = HEX[(int) (bits >>> (60 - 4 * j)) & 0xF];
            }
        }
        return new String(id);
    }

    static boolean isId(String id) {
        return id.matches("[A-Za-z0-9_-]{1,64}");
    }
}
