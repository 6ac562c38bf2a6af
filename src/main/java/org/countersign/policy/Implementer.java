package org.countersign.policy;

import java.util.List;
import java.util.Objects;

/** Someone who worked on the ticket and so may not sign it off, with why ("assignee", "author" …). */
public record Implementer(UserRef user, List<String> roles) {
    public Implementer {
        Objects.requireNonNull(user, "user");
        roles = List.copyOf(roles);
    }
}
