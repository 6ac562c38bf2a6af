package org.countersign.policy;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One resource label event: {@code by} added or removed {@code label} at {@code at}. Events whose label
 * was deleted since (GitLab returns {@code label: null}) are not part of the history: no column can be
 * read from them.
 */
public record LabelChange(long id, Instant at, Optional<UserRef> by, String label, boolean added) implements HistoryEvent {
    public LabelChange {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(by, "by");
        Objects.requireNonNull(label, "label");
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.label(this);
    }
}
