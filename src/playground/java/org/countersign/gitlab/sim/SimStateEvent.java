package org.countersign.gitlab.sim;

import java.time.Instant;

/** A resource state event; {@code state} is {@code opened}, {@code closed} or {@code reopened}. */
public record SimStateEvent(long id, long issueId, SimUser user, Instant createdAt, String state) {
}
