package org.countersign.gitlab.sim;

import java.time.Instant;

/**
 * A simulated GitLab user. {@code token} is the personal access token that identifies the user
 * on the REST API ({@code PRIVATE-TOKEN} or {@code Authorization: Bearer}).
 */
public record SimUser(long id, String username, String name, String email, String token, Instant createdAt,
        boolean admin) {
}
