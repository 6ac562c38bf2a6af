package org.countersign.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.countersign.workflow.GitLabFailure;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final Duration MIN = Duration.ofMinutes(1);
    private static final Duration MAX = Duration.ofMinutes(5);

    private static void within(Duration d, long lowMs, long highMs) {
        assertTrue(d.toMillis() >= lowMs && d.toMillis() <= highMs, d + " not in [" + lowMs + ", " + highMs + "] ms");
    }

    @RepeatedTest(20)
    void aRateLimitThatNamesItsWaitIsWaitedOutWithALittleSpread() {
        within(Backoff.throttled(1, Optional.of(Duration.ofSeconds(30)), MIN, MAX), 30_000, 33_000);
        within(Backoff.throttled(9, Optional.of(Duration.ofSeconds(30)), MIN, MAX), 30_000, 33_000);
        within(Backoff.throttled(1, Optional.of(Duration.ZERO), MIN, MAX), 1_000, 1_100);
        within(Backoff.throttled(1, Optional.of(Duration.ofDays(2)), MIN, MAX), 3_600_000, 3_960_000);
    }

    @RepeatedTest(20)
    void aRateLimitThatNamesNoWaitBacksOffExponentiallyUpToTheCap() {
        within(Backoff.throttled(1, Optional.empty(), MIN, MAX), 48_000, 60_000);
        within(Backoff.throttled(2, Optional.empty(), MIN, MAX), 96_000, 120_000);
        within(Backoff.throttled(3, Optional.empty(), MIN, MAX), 192_000, 240_000);
        within(Backoff.throttled(4, Optional.empty(), MIN, MAX), 240_000, 300_000);
        within(Backoff.throttled(1_000, Optional.empty(), MIN, MAX), 240_000, 300_000);
    }

    @RepeatedTest(20)
    void transientFailuresBackOffFromOneSecondToTenMinutes() {
        within(Backoff.after(1, Optional.empty()), 500, 1_000);
        within(Backoff.after(4, Optional.empty()), 4_000, 8_000);
        within(Backoff.after(40, Optional.empty()), 300_000, 600_000);
    }

    @Test
    void blockedItemsShareACausePerTokenOrPerProjectAndCall() {
        GitLabFailure revokedHere = new GitLabFailure("x", 401, Optional.empty(), "GET issue", "401 Unauthorized", null);
        GitLabFailure revokedThere = new GitLabFailure("x", 401, Optional.empty(), "POST note", "401 Unauthorized", null);
        assertEquals(Workers.cause(revokedHere, 1L), Workers.cause(revokedThere, 2L), "one token for every project and call");
        GitLabFailure reopen = new GitLabFailure("x", 403, Optional.empty(), "PUT issue state_event=reopen", "403 Forbidden", null);
        GitLabFailure note = new GitLabFailure("x", 403, Optional.empty(), "POST note", "403 Forbidden", null);
        assertTrue(!Workers.cause(reopen, 1L).equals(Workers.cause(reopen, 2L)), "rights are per project");
        assertTrue(!Workers.cause(reopen, 1L).equals(Workers.cause(note, 1L)), "a reporter may read but not write: per call");
    }
}
