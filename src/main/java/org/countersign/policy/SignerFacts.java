package org.countersign.policy;

import java.util.Objects;
import java.util.Optional;

/**
 * What GitLab says about someone who wrote a {@code /signoff}, read when the sign-off is judged and
 * kept with the decision.
 *
 * @param account     a person, or an account no person answers for
 * @param active      false for blocked, deactivated or otherwise inactive users
 * @param accessLevel effective project access level (10 guest … 50 owner), empty when not a member
 */
public record SignerFacts(long userId, Account account, boolean active, Optional<Integer> accessLevel) {

    /** The kinds of GitLab account; only {@link #PERSON} may sign off. */
    public enum Account {
        PERSON,
        /** Project or group access-token bots and other {@code bot: true} users. */
        BOT,
        /** Service accounts: automation with a username, not a person. */
        SERVICE_ACCOUNT,
        /** GitLab's ghost user, which inherits the records of deleted users. */
        GHOST
    }

    public SignerFacts {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(accessLevel, "accessLevel");
    }

    public static SignerFacts person(long userId, int accessLevel) {
        return new SignerFacts(userId, Account.PERSON, true, Optional.of(accessLevel));
    }

    public static SignerFacts nonMember(long userId) {
        return new SignerFacts(userId, Account.PERSON, true, Optional.empty());
    }
}
