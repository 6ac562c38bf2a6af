package org.countersign.e2e;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * System time, but every reading is at least a millisecond after the previous one: steps a test
 * performs one after the other get distinct GitLab timestamps, as they would with a human at the
 * keyboard. An offset can push the clock into the past to write old history.
 */
public final class StrictClock extends Clock {
    private Instant last = Instant.EPOCH;
    private volatile java.time.Duration offset = java.time.Duration.ZERO;

    public void setOffset(java.time.Duration offset) {
        this.offset = offset;
        synchronized (this) {
            last = Instant.EPOCH;
        }
    }

    @Override
    public synchronized Instant instant() {
        Instant now = Instant.now().plus(offset).truncatedTo(ChronoUnit.MILLIS);
        if (!now.isAfter(last)) {
            now = last.plusMillis(1);
        }
        last = now;
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
    }
}
