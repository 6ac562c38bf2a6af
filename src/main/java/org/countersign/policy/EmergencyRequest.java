package org.countersign.policy;

import java.time.Instant;
import java.util.Objects;

/**
 * One {@code /emergency} comment and its verdict: {@link Reason.EmergencyAccepted} or why it does not count.
 */
record EmergencyRequest(long noteId, UserRef by, Instant at, String reason, Reason verdict, boolean internal) {
    EmergencyRequest {
        Objects.requireNonNull(by, "by");
        Objects.requireNonNull(verdict, "verdict");
    }

    boolean accepted() {
        return verdict instanceof Reason.EmergencyAccepted;
    }
}
