package ai.powerpost.gateway.admin.console;

import static org.assertj.core.api.Assertions.assertThat;

import ai.powerpost.gateway.admin.Drbg;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ConsoleSessionsTest {

    private static final class MovingClock extends Clock {
        private Instant now = Instant.parse("2026-12-08T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }
    }

    private final MovingClock clock = new MovingClock();

    private ConsoleSessions sessions(int max) {
        return new ConsoleSessions(new ConsoleProperties(Duration.ofMinutes(30), max), Drbg.create(), clock);
    }

    @Test
    void aSessionIsAnOpaqueRandomIdNamingTheActorAndItsCsrfToken() {
        ConsoleSessions sessions = sessions(10);
        ConsoleSessions.Session one = sessions.open("op_1");
        ConsoleSessions.Session two = sessions.open("op_1");
        assertThat(one.id()).hasSize(43).isNotEqualTo(two.id()).doesNotContain("op_1");
        assertThat(one.csrf()).hasSize(43).isNotEqualTo(one.id()).isNotEqualTo(two.csrf());
        assertThat(sessions.find(one.id())).isSameAs(one);
        assertThat(sessions.find("made-up")).isNull();
        assertThat(sessions.find(null)).isNull();
        assertThat(one.csrfMatches(one.csrf())).isTrue();
        assertThat(one.csrfMatches(two.csrf())).isFalse();
        assertThat(one.csrfMatches(null)).isFalse();
    }

    @Test
    void anIdleSessionEndsAndAUsedOneLives() {
        ConsoleSessions sessions = sessions(10);
        ConsoleSessions.Session used = sessions.open("op_1");
        ConsoleSessions.Session idle = sessions.open("op_2");
        clock.advance(Duration.ofMinutes(20));
        assertThat(sessions.find(used.id())).isNotNull();
        clock.advance(Duration.ofMinutes(15));
        assertThat(sessions.find(used.id())).isNotNull();
        assertThat(sessions.find(idle.id())).isNull();
        assertThat(sessions.size()).isEqualTo(1);
    }

    @Test
    void signOutEndsTheSession() {
        ConsoleSessions sessions = sessions(10);
        ConsoleSessions.Session session = sessions.open("op_1");
        sessions.close(session.id());
        assertThat(sessions.find(session.id())).isNull();
    }

    @Test
    void atMostMaxSessionsAreHeldTheLeastRecentlyUsedGoingFirst() {
        ConsoleSessions sessions = sessions(2);
        ConsoleSessions.Session first = sessions.open("op_1");
        clock.advance(Duration.ofSeconds(1));
        ConsoleSessions.Session second = sessions.open("op_2");
        clock.advance(Duration.ofSeconds(1));
        sessions.find(first.id());
        ConsoleSessions.Session third = sessions.open("op_3");
        assertThat(sessions.size()).isEqualTo(2);
        assertThat(sessions.find(second.id())).isNull();
        assertThat(sessions.find(first.id())).isNotNull();
        assertThat(sessions.find(third.id())).isNotNull();
    }

    @Test
    void aSecretIsTakenOnceAndNotAfterItsWait() {
        ConsoleSessions sessions = sessions(10);
        ConsoleSessions.Session session = sessions.open("op_1");
        ConsoleSessions.OneTime secret = new ConsoleSessions.OneTime(
                "acct", "key_1", "ci", "pp_live_sk_x", null, clock.instant().plus(ConsoleSessions.SECRET_WAIT));
        session.keepSecret(secret);
        assertThat(session.takeSecret(clock.instant())).isEqualTo(secret);
        assertThat(session.takeSecret(clock.instant())).isNull();
        session.keepSecret(secret);
        clock.advance(ConsoleSessions.SECRET_WAIT.plusSeconds(1));
        assertThat(session.takeSecret(clock.instant())).isNull();
        assertThat(secret.toString()).doesNotContain("pp_live_sk_x");
    }
}
