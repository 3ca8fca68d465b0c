package ai.powerpost.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WindowTest {

    @Test
    void windowsAreAlignedOnMultiplesOfThePeriodSinceTheEpoch() {
        Window window = Window.of(Duration.ofSeconds(60), 1_700_000_012_345L);
        assertThat(window.startMillis()).isEqualTo(1_699_999_980_000L);
        assertThat(window.endMillis()).isEqualTo(1_700_000_040_000L);
        assertThat(Window.of(Duration.ofSeconds(60), window.endMillis() - 1)).isEqualTo(window);
        assertThat(Window.of(Duration.ofSeconds(60), window.endMillis()).startMillis())
                .isEqualTo(window.endMillis());
    }

    @Test
    void resetIsTheEndInEpochSecondsRoundedUp() {
        assertThat(Window.of(Duration.ofSeconds(60), 1_700_000_012_345L).resetEpochSeconds())
                .isEqualTo(1_700_000_040L);
        assertThat(Window.of(Duration.ofMillis(1500), 1_500).resetEpochSeconds())
                .isEqualTo(3);
        assertThat(Window.of(Duration.ofMillis(1500), 3_100).resetEpochSeconds())
                .isEqualTo(5); // ends at 4.5 s
    }

    @Test
    void secondsLeftRoundsUpAndIsNeverZero() {
        Window window = Window.of(Duration.ofSeconds(60), 0);
        assertThat(window.secondsLeft(0)).isEqualTo(60);
        assertThat(window.secondsLeft(58_001)).isEqualTo(2);
        assertThat(window.secondsLeft(59_999)).isEqualTo(1);
        assertThat(window.secondsLeft(60_000)).isEqualTo(1);
    }
}
