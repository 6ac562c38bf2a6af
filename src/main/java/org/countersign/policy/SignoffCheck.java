package org.countersign.policy;

import java.time.Instant;
import java.util.Objects;

/**
 * The verdict on one {@code /signoff} comment.
 *
 * @param verified what the reviewer wrote after {@code /signoff}; empty if nothing
 * @param reason   {@link ReasonCode#SIGNOFF_ACCEPTED} or why it cannot count
 * @param counts   whether it counts toward the close being evaluated (accepted and not voided since)
 */
public record SignoffCheck(long noteId, UserRef signer, Instant at, String verified, boolean accepted,
                           Reason reason, boolean counts) {
    public SignoffCheck {
        Objects.requireNonNull(signer, "signer");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(reason, "reason");
        verified = verified == null ? "" : verified;
    }
}
