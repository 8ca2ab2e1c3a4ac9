package com.wechathub.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-client counters of wrong operator tokens: a sliding minute, and bounded memory however many addresses guess. */
class FailedTokensTests {

    final AtomicLong now = new AtomicLong(1_000_000);
    final Clock clock = new Clock() {
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
            return Instant.ofEpochMilli(now.get());
        }
    };

    @Test
    void theLimitIsOverASlidingMinuteAndRetryAfterSaysWhenTheOldestFailureLeavesIt() {
        FailedTokens failures = new FailedTokens(20, Duration.ofMinutes(1), 100, clock);
        for (int i = 0; i < 20; i++) {
            assertThat(failures.blockedFor("a")).isEmpty();
            failures.failed("a");
            now.addAndGet(1000); // one a second
        }
        // 20 failures between t=0 s and t=19 s; now t=20 s: blocked until t=60 s
        assertThat(failures.blockedFor("a")).hasValue(40);
        assertThat(failures.blockedFor("b")).isEmpty();

        now.addAndGet(40_000);
        assertThat(failures.blockedFor("a")).isEmpty();
        failures.failed("a"); // the 21st, at t=60 s: the last 20 span t=1 s .. t=60 s
        assertThat(failures.blockedFor("a")).hasValue(1);
    }

    @Test
    void failuresSpreadBeyondAMinuteNeverBlock() {
        FailedTokens failures = new FailedTokens(20, Duration.ofMinutes(1), 100, clock);
        for (int i = 0; i < 100; i++) {
            failures.failed("slow");
            now.addAndGet(3_100);
            assertThat(failures.blockedFor("slow")).isEmpty();
        }
    }

    @Test
    void memoryIsBoundedHoweverManyAddressesGuess() {
        FailedTokens failures = new FailedTokens(20, Duration.ofMinutes(1), 1000, clock);
        for (int i = 0; i < 50_000; i++) {
            failures.failed("10.0." + (i / 256) + "." + (i % 256));
        }
        assertThat(failures.clientsRemembered()).isEqualTo(1000);
    }

    @Test
    void theHubsLimitsAre20AMinuteForAtMost10000Clients() {
        assertThat(AdminAuth.MAX_FAILURES).isEqualTo(20);
        assertThat(AdminAuth.WINDOW).isEqualTo(Duration.ofMinutes(1));
        assertThat(AdminAuth.MAX_CLIENTS).isEqualTo(10_000);
    }
}
