package ai.powerpost.gateway.admin.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code expires_in}: a count and a unit, nothing else. */
class ExpiresInTest {

    @Test
    void aCountAndAUnit() {
        assertThat(OperatorsHandler.duration("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(OperatorsHandler.duration("15m")).isEqualTo(Duration.ofMinutes(15));
        assertThat(OperatorsHandler.duration("24h")).isEqualTo(Duration.ofHours(24));
        assertThat(OperatorsHandler.duration("90d")).isEqualTo(Duration.ofDays(90));
    }

    @Test
    void anythingElseIsRefused() {
        for (String text : new String[] {"0s", "-1d", "1w", "1.5h", "d", "", "90 d", "P1D", "01d"}) {
            assertThat(OperatorsHandler.duration(text)).as(text).isNull();
        }
    }
}
