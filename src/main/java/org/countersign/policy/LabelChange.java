package org.countersign.policy;

import java.time.Instant;
import java.util.Objects;

/** One resource label event: {@code user} added or removed {@code label} at {@code at}. */
public record LabelChange(long id, Instant at, UserRef user, String label, boolean added) {
    public LabelChange {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(label, "label");
    }
}
