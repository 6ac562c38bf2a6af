package org.countersign.probes;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The state machine of a check, pure: what a ping does, when a check becomes late and down. Times come
 * from the caller (the stored ones and an injected clock's now), so tests never wait for schedules.
 *
 * <p>The sweep in the database ({@code store/ProbeStore#sweep}) applies {@link #sweep} to every check at
 * once from the {@link Deadlines} stored with it, computed here after every ping.
 */
public final class ProbeRules {

    private ProbeRules() {
    }

    /** When a check in its current state becomes late and down; null for never. */
    public record Deadlines(Instant lateAt, Instant downAt) {
    }

    /** A change of state, with its cause and a sentence saying what happened. */
    public record Transition(CheckStatus from, CheckStatus to, Cause cause, String detail) {
    }

    /**
     * What follows from a ping: the new state, the transition (if the state changed, or a failure while
     * already down), and how long the run took when it had a start.
     */
    public record Outcome(CheckState state, Optional<Transition> transition, Optional<Duration> ranFor, boolean recovery) {
        /** Whether this ping opens or adds to an incident (a failure). */
        public boolean failure() {
            return transition.map(t -> t.cause().isFailure()).orElse(false);
        }
    }

    public static Deadlines deadlines(CheckSpec spec, CheckState s) {
        Duration grace = spec.schedule().grace();
        return switch (s.status()) {
            case NEW, DOWN -> new Deadlines(null, null);
            case STARTED -> new Deadlines(null, s.lastStartAt().plus(grace));
            case UP, LATE -> {
                Instant due = spec.schedule().nextDue(s.lastPingAt());
                yield new Deadlines(due, due.equals(Instant.MAX) ? due : due.plus(grace));
            }
        };
    }

    public static Outcome onPing(CheckSpec spec, CheckState s, Ping ping, Instant at) {
        if (ping.kind() == Ping.Kind.START) {
            CheckState next = new CheckState(CheckStatus.STARTED, s.createdAt(), at, at, s.downSince());
            return new Outcome(next, changed(s.status(), CheckStatus.STARTED, Cause.STARTED, "start ping received"), Optional.empty(),
                    false);
        }
        Optional<Duration> ranFor = s.status() == CheckStatus.STARTED && s.lastStartAt() != null
                ? Optional.of(Duration.between(s.lastStartAt(), at)) : Optional.empty();
        boolean success = ping.kind() == Ping.Kind.SUCCESS || (ping.kind() == Ping.Kind.EXIT && ping.exitStatus().orElse(1) == 0);
        if (success && ranFor.isPresent() && spec.minDuration().isPresent() && ranFor.get().compareTo(spec.minDuration().get()) < 0) {
            return fail(s, at, Cause.TOO_SHORT, "it ran for " + Durations.format(ranFor.get()) + ", less than its min-duration of "
                    + Durations.format(spec.minDuration().get()), ranFor);
        }
        if (!success) {
            return ping.kind() == Ping.Kind.FAIL
                    ? fail(s, at, Cause.FAILED, "the job reported a failure", ranFor)
                    : fail(s, at, Cause.EXIT_STATUS, "the job ended with exit status " + ping.exitStatus().orElseThrow(), ranFor);
        }
        CheckState next = new CheckState(CheckStatus.UP, s.createdAt(), at, s.lastStartAt(), null);
        boolean recovered = s.downSince() != null;
        String detail = recovered ? "success ping received: recovered" : "success ping received";
        return new Outcome(next, changed(s.status(), CheckStatus.UP, Cause.SUCCESS, detail), ranFor, recovered);
    }

    private static Outcome fail(CheckState s, Instant at, Cause cause, String detail, Optional<Duration> ranFor) {
        CheckState next = new CheckState(CheckStatus.DOWN, s.createdAt(), at, s.lastStartAt(),
                s.downSince() != null ? s.downSince() : at);
        // a failure always counts, even when the check was already down: it adds to the open ticket
        return new Outcome(next, Optional.of(new Transition(s.status(), CheckStatus.DOWN, cause, detail)), ranFor, false);
    }

    private static Optional<Transition> changed(CheckStatus from, CheckStatus to, Cause cause, String detail) {
        return from == to ? Optional.empty() : Optional.of(new Transition(from, to, cause, detail));
    }

    /** What the sweep does to a check at {@code now}: nothing, late, or down (missed / no end after a start). */
    public static Optional<Transition> sweep(CheckState s, Deadlines d, Instant now) {
        if (d.downAt() != null && !now.isBefore(d.downAt())
                && (s.status() == CheckStatus.UP || s.status() == CheckStatus.LATE || s.status() == CheckStatus.STARTED)) {
            return Optional.of(s.status() == CheckStatus.STARTED
                    ? new Transition(s.status(), CheckStatus.DOWN, Cause.NO_END, noEndDetail(s.lastStartAt(), d.downAt()))
                    : new Transition(s.status(), CheckStatus.DOWN, Cause.MISSED, missedDetail(d.lateAt(), d.downAt())));
        }
        if (d.lateAt() != null && !now.isBefore(d.lateAt()) && s.status() == CheckStatus.UP) {
            return Optional.of(new Transition(CheckStatus.UP, CheckStatus.LATE, Cause.LATE, "no ping by its due time " + d.lateAt()));
        }
        return Optional.empty();
    }

    public static String missedDetail(Instant dueAt, Instant downAt) {
        return "no ping by its due time " + dueAt + " nor within grace (until " + downAt + ")";
    }

    public static String noEndDetail(Instant startedAt, Instant downAt) {
        return "started at " + startedAt + " but no end ping by " + downAt + " (start + grace)";
    }
}
