package org.countersign.policy;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** One resource state event: the ticket was opened, closed or reopened by {@code by}. */
public record StateChange(long id, Instant at, Optional<UserRef> by, Kind kind) implements HistoryEvent {
    public enum Kind { OPENED, CLOSED, REOPENED }

    public StateChange {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(by, "by");
        Objects.requireNonNull(kind, "kind");
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.state(this);
    }
}
