package org.countersign.policy;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A note on the ticket. System notes are kept so the history is complete but never count as sign-offs.
 *
 * @param at       when it was written ({@code created_at})
 * @param editedAt when its body changed after it was written, if it did. GitLab shows no editor (a
 *                 Maintainer may edit anyone's comment) and moves {@code updated_at} for emoji reactions
 *                 too: the adapter tells an edit from a reaction
 * @param internal an internal note, readable by project members only: nothing from it may be quoted
 *                 in a public note
 */
public record Comment(long id, Instant at, Optional<Instant> editedAt, Optional<UserRef> by, String body, boolean system,
                      boolean internal) implements HistoryEvent {
    public Comment {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(editedAt, "editedAt");
        Objects.requireNonNull(by, "by");
        body = body == null ? "" : body;
    }

    public boolean edited() {
        return editedAt.isPresent();
    }

    /** The same note, known to have been edited at {@code when}. */
    public Comment editedAt(Instant when) {
        return new Comment(id, at, Optional.of(when), by, body, system, internal);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.comment(this);
    }
}
