package org.countersign.policy;

import java.time.Instant;
import java.util.Objects;

/** A note on the ticket. System notes are kept so the history is complete but never count as sign-offs. */
public record Comment(long id, Instant at, UserRef author, String body, boolean system) {
    public Comment {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(author, "author");
        body = body == null ? "" : body;
    }
}
