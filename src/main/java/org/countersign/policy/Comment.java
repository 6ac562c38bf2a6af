package org.countersign.policy;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A note on the ticket. System notes are kept so the history is complete but never count as sign-offs.
 *
 * @param at        when it was written ({@code created_at})
 * @param updatedAt GitLab's {@code updated_at}: later than {@code at} once the body was edited
 * @param internal  an internal note, readable by project members only: nothing from it may be quoted
 *                  in a public note
 */
public record Comment(long id, Instant at, Instant updatedAt, Optional<UserRef> by, String body, boolean system,
                      boolean internal) implements HistoryEvent {
    public Comment {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(updatedAt, "updatedAt");
        Objects.requireNonNull(by, "by");
        body = body == null ? "" : body;
    }

    /** Whether the note changed after it was written (GitLab shows no editor: it may be anyone with the right). */
    public boolean edited() {
        return updatedAt.isAfter(at);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.comment(this);
    }
}
