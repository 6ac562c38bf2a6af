package org.countersign.gitlab.sim;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A settable UTC clock for {@link GitLabSimulator#setClock(Clock)}: tests move time explicitly. */
public final class SimClock extends Clock {

    private volatile Instant now;

    public SimClock(Instant start) {
        this.now = start;
    }

    public void set(Instant instant) {
        this.now = instant;
    }

    /** Moves time forward (or back, with a negative duration) and returns the new instant. */
    public synchronized Instant advance(Duration duration) {
        now = now.plus(duration);
        return now;
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return Clock.fixed(now, zone);
    }
}
