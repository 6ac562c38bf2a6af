package org.countersign.policy;

import java.util.Objects;

/** A GitLab user as the policy sees it: numeric id (the identity) and username (for wording). */
public record UserRef(long id, String username) {
    public UserRef {
        Objects.requireNonNull(username, "username");
    }

    /** The GitLab mention of this user, e.g. {@code @alice}. */
    public String mention() {
        return "@" + username;
    }
}
