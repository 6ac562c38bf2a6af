package org.countersign.policy;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The verdict on one {@code /signoff} comment, with the facts it relied on.
 *
 * @param verified    what the reviewer wrote after {@code /signoff}; empty if nothing
 * @param accessLevel the signer's project access level when judged; empty if not a member
 * @param reason      {@link Reason.SignoffAccepted} or why it cannot count
 * @param counts      whether it counts toward the close being evaluated (accepted and not voided since)
 * @param internal    written as an internal note: answered internally, never quoted in public
 */
public record SignoffCheck(long noteId, UserRef signer, Instant at, String verified, Optional<Integer> accessLevel,
                           Reason reason, boolean counts, boolean internal) {
    public SignoffCheck {
        Objects.requireNonNull(signer, "signer");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(accessLevel, "accessLevel");
        Objects.requireNonNull(reason, "reason");
        verified = verified == null ? "" : verified;
    }

    public boolean accepted() {
        return reason instanceof Reason.SignoffAccepted;
    }

    SignoffCheck counting(boolean counts) {
        return new SignoffCheck(noteId, signer, at, verified, accessLevel, reason, counts, internal);
    }
}
