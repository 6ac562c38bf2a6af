package org.countersign.gitlab.sim;

import java.time.Instant;

/** A resource label event; {@code action} is {@code add} or {@code remove}. */
public record SimLabelEvent(long id, long issueId, SimUser user, Instant createdAt, SimLabel label, String action) {
}
