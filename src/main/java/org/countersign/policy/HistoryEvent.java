package org.countersign.policy;

import java.time.Instant;
import java.util.Optional;

/**
 * One thing that happened to a ticket, as GitLab's API records it: a label added or removed, a state
 * change, a note. The policy replays them in time order; {@link Visitor} makes every kind handled.
 */
public sealed interface HistoryEvent permits LabelChange, StateChange, Comment {

    /** GitLab's id of the event or note (unique per kind, increasing with time). */
    long id();

    /** When it happened. */
    Instant at();

    /** Who did it; empty when GitLab names nobody (a user deleted without a ghost, an import). */
    Optional<UserRef> by();

    <R> R accept(Visitor<R> visitor);

    default boolean isBy(long userId) {
        return by().map(u -> u.id() == userId).orElse(false);
    }

    /** One method per kind of event. */
    interface Visitor<R> {
        R label(LabelChange change);

        R state(StateChange change);

        R comment(Comment comment);
    }
}
