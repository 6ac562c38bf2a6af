package org.countersign.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ProbeRulesTest {

    static final Instant T0 = Instant.parse("2026-11-20T03:00:00Z");

    static CheckSpec periodic(Duration period, Duration grace, Optional<Duration> min) {
        return new CheckSpec("backup", "Backup", UUID.randomUUID(), new Schedule.Period(period, grace), min, Optional.empty(),
                List.of(), true);
    }

    @Test
    void newCheckNeverGoesDown() {
        CheckSpec spec = periodic(Duration.ofDays(1), Duration.ofHours(2), Optional.empty());
        CheckState s = CheckState.fresh(T0);
        assertEquals(new ProbeRules.Deadlines(null, null), ProbeRules.deadlines(spec, s));
        assertEquals(Optional.empty(), ProbeRules.sweep(s, ProbeRules.deadlines(spec, s), T0.plus(Duration.ofDays(30))));
    }

    @Test
    void periodPlusGraceGivesLateThenDown() {
        CheckSpec spec = periodic(Duration.ofDays(1), Duration.ofHours(2), Optional.empty());
        ProbeRules.Outcome up = ProbeRules.onPing(spec, CheckState.fresh(T0), Ping.success(), T0);
        assertEquals(CheckStatus.UP, up.state().status());
        ProbeRules.Deadlines d = ProbeRules.deadlines(spec, up.state());
        assertEquals(T0.plus(Duration.ofDays(1)), d.lateAt());
        assertEquals(T0.plus(Duration.ofHours(26)), d.downAt());
        assertEquals(Optional.empty(), ProbeRules.sweep(up.state(), d, d.lateAt().minusMillis(1)));
        assertEquals(CheckStatus.LATE, ProbeRules.sweep(up.state(), d, d.lateAt()).orElseThrow().to());
        ProbeRules.Transition down = ProbeRules.sweep(up.state(), d, d.downAt()).orElseThrow();
        assertEquals(CheckStatus.DOWN, down.to());
        assertEquals(Cause.MISSED, down.cause());
    }

    @Test
    void cronInItsTimezone() {
        // 03:00 Paris time every day; in November Paris is UTC+1
        Schedule.CronSchedule cron = Schedule.CronSchedule.of("0 3 * * *", ZoneId.of("Europe/Paris"), Duration.ofMinutes(30));
        assertEquals(Instant.parse("2026-11-21T02:00:00Z"), cron.nextDue(Instant.parse("2026-11-20T02:05:00Z")));
        assertEquals(Instant.parse("2026-11-20T02:00:00Z"), cron.nextDue(Instant.parse("2026-11-19T23:00:00Z")));
        // in July Paris is UTC+2
        assertEquals(Instant.parse("2026-07-02T01:00:00Z"), cron.nextDue(Instant.parse("2026-07-01T02:00:00Z")));
        CheckSpec spec = new CheckSpec("c", "C", UUID.randomUUID(), cron, Optional.empty(), Optional.empty(), List.of(), true);
        CheckState s = ProbeRules.onPing(spec, CheckState.fresh(T0), Ping.success(), Instant.parse("2026-11-20T02:05:00Z")).state();
        assertEquals(Instant.parse("2026-11-21T02:30:00Z"), ProbeRules.deadlines(spec, s).downAt());
    }

    @Test
    void startWithoutEndGoesDownAfterGrace() {
        CheckSpec spec = periodic(Duration.ofDays(1), Duration.ofHours(2), Optional.empty());
        CheckState started = ProbeRules.onPing(spec, CheckState.fresh(T0), Ping.start(), T0).state();
        assertEquals(CheckStatus.STARTED, started.status());
        ProbeRules.Deadlines d = ProbeRules.deadlines(spec, started);
        assertNull(d.lateAt());
        assertEquals(T0.plus(Duration.ofHours(2)), d.downAt());
        assertEquals(Cause.NO_END, ProbeRules.sweep(started, d, d.downAt()).orElseThrow().cause());
    }

    @Test
    void tooShortRunIsAFailure() {
        CheckSpec spec = periodic(Duration.ofDays(1), Duration.ofHours(2), Optional.of(Duration.ofMinutes(5)));
        CheckState started = ProbeRules.onPing(spec, CheckState.fresh(T0), Ping.start(), T0).state();
        ProbeRules.Outcome quick = ProbeRules.onPing(spec, started, Ping.success(), T0.plusSeconds(12));
        assertTrue(quick.failure());
        assertEquals(Cause.TOO_SHORT, quick.transition().orElseThrow().cause());
        assertEquals(CheckStatus.DOWN, quick.state().status());
        assertEquals(Optional.of(Duration.ofSeconds(12)), quick.ranFor());
        ProbeRules.Outcome slow = ProbeRules.onPing(spec, started, Ping.exit(0), T0.plusSeconds(600));
        assertEquals(CheckStatus.UP, slow.state().status());
        assertFalse(slow.failure());
    }

    @Test
    void failuresExitStatusAndRecovery() {
        CheckSpec spec = periodic(Duration.ofDays(1), Duration.ofHours(2), Optional.empty());
        CheckState up = ProbeRules.onPing(spec, CheckState.fresh(T0), Ping.success(), T0).state();
        ProbeRules.Outcome failed = ProbeRules.onPing(spec, up, Ping.exit(3), T0.plusSeconds(60));
        assertTrue(failed.failure());
        assertEquals(Cause.EXIT_STATUS, failed.transition().orElseThrow().cause());
        assertEquals(T0.plusSeconds(60), failed.state().downSince());
        ProbeRules.Outcome again = ProbeRules.onPing(spec, failed.state(), Ping.fail(), T0.plusSeconds(120));
        assertTrue(again.failure(), "a failure while down still counts (a comment on the open ticket)");
        assertEquals(T0.plusSeconds(60), again.state().downSince(), "the incident keeps its start");
        // a start then a success while down is a recovery
        CheckState restarted = ProbeRules.onPing(spec, again.state(), Ping.start(), T0.plusSeconds(180)).state();
        ProbeRules.Outcome recovered = ProbeRules.onPing(spec, restarted, Ping.success(), T0.plusSeconds(240));
        assertTrue(recovered.recovery());
        assertEquals(CheckStatus.UP, recovered.state().status());
        assertNull(recovered.state().downSince());
        assertFalse(ProbeRules.onPing(spec, recovered.state(), Ping.success(), T0.plusSeconds(300)).recovery());
    }

    @Test
    void pingSuffixes() {
        assertEquals(Optional.of(Ping.success()), Ping.parse(""));
        assertEquals(Optional.of(Ping.exit(0)), Ping.parse("0"));
        assertEquals(Optional.of(Ping.exit(255)), Ping.parse("255"));
        assertEquals(Optional.empty(), Ping.parse("256"));
        assertEquals(Optional.empty(), Ping.parse("stop"));
    }
}
