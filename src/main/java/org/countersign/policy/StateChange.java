package org.countersign.policy;

import java.time.Instant;
import java.util.Objects;

/** One resource state event: the ticket was opened, closed or reopened by {@code user}. */
public record StateChange(long id, Instant at, UserRef user, Kind kind) {
    public enum Kind { OPENED, CLOSED, REOPENED }

    public StateChange {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(kind, "kind");
    }
}
