package ai.powerpost.gateway.admin.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The console's sessions, in this replica's memory: an opaque random id (256 bits, the cookie's
 * value) names the signed-in actor's id (never its token), a CSRF token, and when it was last
 * used. A session unused for the idle timeout is gone; at most {@code maxSessions} are held (the
 * least recently used goes first). Per replica: behind a load balancer the console needs sticky
 * sessions, or an operator signs in again on another replica (docs/console.md).
 *
 * <p>A key's secret made on a page waits here, in its session, from the POST that made it to the
 * one page that shows it ({@link Session#takeSecret}), so that a reload finds it gone.
 */
final class ConsoleSessions {

    /** A secret shown once: the key it belongs to and the secret. */
    record OneTime(
            String accountId,
            String keyId,
            String name,
            String secret,
            @Nullable String rolledFrom,
            Instant until) {
        @Override
        public String toString() {
            return "OneTime[" + keyId + "]";
        }
    }

    /** One signed-in session. */
    static final class Session {
        private final String id;
        private final String actorId;
        private final String csrf;
        private volatile Instant lastSeen;
        private volatile @Nullable OneTime secret;

        Session(String id, String actorId, String csrf, Instant lastSeen) {
            this.id = id;
            this.actorId = actorId;
            this.csrf = csrf;
            this.lastSeen = lastSeen;
        }

        String id() {
            return id;
        }

        String actorId() {
            return actorId;
        }

        String csrf() {
            return csrf;
        }

        /** Whether {@code given} is this session's CSRF token (constant time). */
        boolean csrfMatches(@Nullable String given) {
            return given != null
                    && MessageDigest.isEqual(
                            csrf.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
        }

        void keepSecret(OneTime oneTime) {
            this.secret = oneTime;
        }

        /** The secret waiting to be shown, once: it is gone after this call. */
        @Nullable
        OneTime takeSecret(Instant now) {
            OneTime taken = secret;
            secret = null;
            return taken == null || now.isAfter(taken.until()) ? null : taken;
        }

        @Override
        public String toString() {
            return "Session[" + actorId + "]";
        }
    }

    static final Duration SECRET_WAIT = Duration.ofMinutes(5);

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random;
    private final Clock clock;
    private final Duration idleTimeout;
    private final int maxSessions;

    ConsoleSessions(ConsoleProperties properties, SecureRandom random, Clock clock) {
        this.random = random;
        this.clock = clock;
        this.idleTimeout = properties.sessionIdleTimeout();
        this.maxSessions = properties.maxSessions();
    }

    Instant now() {
        return clock.instant();
    }

    /** A new session for the actor {@code actorId}. */
    Session open(String actorId) {
        Instant now = clock.instant();
        if (sessions.size() >= maxSessions) {
            sessions.values().removeIf(session -> idle(session, now));
            while (sessions.size() >= maxSessions) {
                sessions.values().stream()
                        .min(Comparator.comparing(session -> session.lastSeen))
                        .ifPresent(oldest -> sessions.remove(oldest.id));
            }
        }
        Session session = new Session(randomToken(), actorId, randomToken(), now);
        sessions.put(session.id, session);
        return session;
    }

    /** The live session with this id, its last use now; null when unknown or idle too long (then dropped). */
    @Nullable
    Session find(@Nullable String id) {
        if (id == null || id.isEmpty()) {
            return null;
        }
        Session session = sessions.get(id);
        if (session == null) {
            return null;
        }
        Instant now = clock.instant();
        if (idle(session, now)) {
            sessions.remove(id, session);
            return null;
        }
        session.lastSeen = now;
        return session;
    }

    void close(String id) {
        sessions.remove(id);
    }

    int size() {
        return sessions.size();
    }

    private boolean idle(Session session, Instant now) {
        return !now.isBefore(session.lastSeen.plus(idleTimeout));
    }

    private String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
