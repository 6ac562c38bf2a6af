package org.countersign.gitlab.sim;

import java.time.Instant;

/** An emoji reaction ({@code AwardEmoji}) on a note; {@code name} without colons, e.g. {@code thumbsup}. */
public record SimAward(long id, long noteId, SimUser user, String name, Instant createdAt) {
}
