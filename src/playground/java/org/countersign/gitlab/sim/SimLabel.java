package org.countersign.gitlab.sim;

import java.time.Instant;

/** A project label (GitLab {@code ProjectLabel}); names are unique per project. */
public record SimLabel(long id, long projectId, String name, String color, String description, Instant createdAt) {
}
