package org.countersign.policy;

import java.util.Objects;

/** A member of the project as GitLab lists it, with what the rule needs to know about them. */
public record ProjectMember(UserRef user, SignerFacts facts) {
    public ProjectMember {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(facts, "facts");
    }
}
