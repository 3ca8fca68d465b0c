package ai.powerpost.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code expires_in}, {@code expire_previous_in}: a count and a unit, nothing else. */
class ApiDurationsTest {

    @Test
    void aCountAndAUnit() {
        assertThat(ApiDurations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(ApiDurations.parse("15m")).isEqualTo(Duration.ofMinutes(15));
        assertThat(ApiDurations.parse("24h")).isEqualTo(Duration.ofHours(24));
        assertThat(ApiDurations.parse("90d")).isEqualTo(Duration.ofDays(90));
    }

    @Test
    void anythingElseIsRefused() {
        for (String text : new String[] {"0s", "0", "-1d", "1w", "1.5h", "d", "", "90 d", "P1D", "01d", "123456789d"}) {
            assertThat(ApiDurations.parse(text)).as(text).isNull();
        }
    }

    @Test
    void zeroOnlyWhereNowIsAllowed() {
        assertThat(ApiDurations.parseOrZero("0")).isEqualTo(Duration.ZERO);
        assertThat(ApiDurations.parseOrZero("0s")).isEqualTo(Duration.ZERO);
        assertThat(ApiDurations.parseOrZero("24h")).isEqualTo(Duration.ofHours(24));
        assertThat(ApiDurations.parseOrZero("00")).isNull();
        assertThat(ApiDurations.parseOrZero("-0")).isNull();
    }
}
