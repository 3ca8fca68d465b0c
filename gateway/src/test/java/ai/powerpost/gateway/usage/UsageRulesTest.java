package ai.powerpost.gateway.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each rule of unexpected activity fires on the traffic that should trip it, and stays silent on steady traffic. */
class UsageRulesTest {

    private static final long HOUR = UsageRules.HOUR;
    private static final long DAY = UsageRules.DAY;
    private static final long NOW = Instant.parse("2026-12-08T10:20:00Z").toEpochMilli();
    private static final long THIS_HOUR = NOW / HOUR;
    private static final long LONG_AGO = NOW - 20 * DAY;

    private final UsageRules rules = new UsageRules(14 * DAY, 10, 100, 7);

    private static UsageRules.Observation steady(long hourTotal, long[] previousHours) {
        return new UsageRules.Observation(
                "key_1", "acct", THIS_HOUR, hourTotal, LONG_AGO, NOW, List.of(), 0, 0, 0, previousHours, null, 0);
    }

    private static long[] hours(long each) {
        long[] hours = new long[UsageRules.BASELINE_HOURS];
        Arrays.fill(hours, each);
        return hours;
    }

    private List<String> rulesFired(UsageRules.Observation observation) {
        return rules.evaluate(observation).stream()
                .map(UsageRules.Candidate::rule)
                .toList();
    }

    @Test
    void aNetworkNotSeenInFourteenDaysIsNew() {
        var never = new UsageRules.NetworkSeen("198.51.100.0/24", NOW, 0);
        var fifteenDaysAgo = new UsageRules.NetworkSeen("203.0.113.0/24", NOW, NOW - 15 * DAY);
        var observation = new UsageRules.Observation(
                "key_1", "acct", THIS_HOUR, 5, LONG_AGO, NOW, List.of(never, fifteenDaysAgo), 0, 0, 0, null, null, 0);

        List<UsageRules.Candidate> found = rules.evaluate(observation);

        assertThat(found).extracting(UsageRules.Candidate::rule).containsExactly("new_network", "new_network");
        assertThat(found)
                .extracting(UsageRules.Candidate::subject)
                .containsExactly("198.51.100.0/24", "203.0.113.0/24");
        assertThat(found).extracting(UsageRules.Candidate::period).containsOnly("2026-12-08");
        assertThat(found.get(0).evidence()).contains("198.51.100.0/24").contains("previous 14 days");
    }

    @Test
    void aNetworkSeenWithinFourteenDaysOrTodayIsNotNew() {
        var yesterday = new UsageRules.NetworkSeen("198.51.100.0/24", NOW, NOW - DAY);
        var thirteenDaysAgo = new UsageRules.NetworkSeen("203.0.113.0/24", NOW, NOW - 13 * DAY);
        var earlierToday = new UsageRules.NetworkSeen("192.0.2.0/24", NOW, NOW - 60_000);
        var observation = new UsageRules.Observation(
                "key_1",
                "acct",
                THIS_HOUR,
                5,
                LONG_AGO,
                NOW,
                List.of(yesterday, thirteenDaysAgo, earlierToday),
                0,
                0,
                0,
                null,
                null,
                0);

        assertThat(rulesFired(observation)).isEmpty();
    }

    @Test
    void aKeysFirstDayOfUseFindsNoNewNetwork() {
        var never = new UsageRules.NetworkSeen("198.51.100.0/24", NOW, 0);
        long firstUseToday = NOW - HOUR;
        var observation = new UsageRules.Observation(
                "key_1", "acct", THIS_HOUR, 5, firstUseToday, NOW, List.of(never), 0, 0, 0, null, null, 0);

        assertThat(rulesFired(observation)).isEmpty();
    }

    @Test
    void anHourAboveTenTimesTheMedianAndAtLeastAHundredIsASpike() {
        List<UsageRules.Candidate> found = rules.evaluate(steady(501, hours(50)));

        assertThat(found).extracting(UsageRules.Candidate::rule).containsExactly("hourly_spike");
        assertThat(found.get(0).period()).isEqualTo("2026-12-08T10");
        assertThat(found.get(0).evidence()).contains("501 requests").contains("(50)");
    }

    @Test
    void steadyTrafficIsNoSpike() {
        assertThat(rulesFired(steady(55, hours(50)))).isEmpty();
        assertThat(rulesFired(steady(500, hours(50))))
                .as("exactly 10x is not more than 10x")
                .isEmpty();
        assertThat(rulesFired(steady(500, hours(60)))).isEmpty();
    }

    @Test
    void aSpikeNeedsAtLeastAHundredRequests() {
        assertThat(rulesFired(steady(99, hours(1)))).isEmpty();
        assertThat(rulesFired(steady(100, hours(1)))).containsExactly("hourly_spike");
    }

    @Test
    void theMedianIsOverTheHoursWithUseSoNightsDoNotMakeEveryBusyHourASpike() {
        long[] officeHours = new long[UsageRules.BASELINE_HOURS];
        for (int i = 0; i < officeHours.length; i++) {
            officeHours[i] = i % 24 >= 8 && i % 24 < 18 ? 400 : 0; // 10 busy hours a day, idle nights
        }
        assertThat(UsageRules.medianOfUsedHours(officeHours)).isEqualTo(400);
        assertThat(rulesFired(steady(450, officeHours))).isEmpty();
        assertThat(rulesFired(steady(4001, officeHours))).containsExactly("hourly_spike");
    }

    @Test
    void aKeyWithoutSevenDaysOfHistoryHasNoSpike() {
        long firstUseThreeDaysAgo = NOW - 3 * DAY;
        var observation = new UsageRules.Observation(
                "key_1", "acct", THIS_HOUR, 5000, firstUseThreeDaysAgo, NOW, List.of(), 0, 0, 0, hours(10), null, 0);
        assertThat(rulesFired(observation)).isEmpty();
    }

    @Test
    void aKeyUsedAfterItsSuccessorWasFirstUsedIsFound() {
        var observation = new UsageRules.Observation(
                "key_old", "acct", THIS_HOUR, 5, LONG_AGO, NOW, List.of(), 0, 0, 0, null, "key_new", NOW - 60_000);

        List<UsageRules.Candidate> found = rules.evaluate(observation);

        assertThat(found).extracting(UsageRules.Candidate::rule).containsExactly("used_after_successor");
        assertThat(found.get(0).subject()).isEqualTo("key_new");
        assertThat(found.get(0).evidence()).contains("key_new");
    }

    @Test
    void aRolledKeyUsedBeforeItsSuccessorIsNot() {
        var successorUnused = new UsageRules.Observation(
                "key_old", "acct", THIS_HOUR, 5, LONG_AGO, NOW, List.of(), 0, 0, 0, null, "key_new", 0);
        var successorUsedLater = new UsageRules.Observation(
                "key_old", "acct", THIS_HOUR, 5, LONG_AGO, NOW, List.of(), 0, 0, 0, null, "key_new", NOW + 1);
        assertThat(rulesFired(successorUnused)).isEmpty();
        assertThat(rulesFired(successorUsedLater)).isEmpty();
    }

    @Test
    void moreNetworksInADayThanEverBeforeIsARecord() {
        var observation = new UsageRules.Observation(
                "key_1", "acct", THIS_HOUR, 5, LONG_AGO, NOW, List.of(), 4, 3, 10, null, null, 0);

        List<UsageRules.Candidate> found = rules.evaluate(observation);

        assertThat(found).extracting(UsageRules.Candidate::rule).containsExactly("network_count_record");
        assertThat(found.get(0).evidence()).contains("4 networks").contains("at most 3");
    }

    @Test
    void steadyNetworksOrTooLittleHistoryIsNoRecord() {
        var asBefore = new UsageRules.Observation(
                "key_1", "acct", THIS_HOUR, 5, LONG_AGO, NOW, List.of(), 3, 3, 10, null, null, 0);
        var newKey = new UsageRules.Observation(
                "key_1", "acct", THIS_HOUR, 5, LONG_AGO, NOW, List.of(), 4, 1, 6, null, null, 0);
        var noNetworkAdded = new UsageRules.Observation(
                "key_1", "acct", THIS_HOUR, 5, LONG_AGO, NOW, List.of(), 0, 3, 10, null, null, 0);
        assertThat(rulesFired(asBefore)).isEmpty();
        assertThat(rulesFired(newKey)).isEmpty();
        assertThat(rulesFired(noNetworkAdded)).isEmpty();
    }
}
