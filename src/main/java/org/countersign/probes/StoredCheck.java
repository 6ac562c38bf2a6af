package org.countersign.probes;

import java.time.Instant;

/** A check as stored: its id, declaration, where it was declared ({@code file} or {@code api}) and its state. */
public record StoredCheck(long id, CheckSpec spec, String source, CheckState state, Instant lateAt, Instant downAt,
                          double rateTokens, Instant rateAt) {

    /** When the next ping is due (null when it is new, down, or running). */
    public Instant nextDue() {
        return state.status() == CheckStatus.UP || state.status() == CheckStatus.LATE ? lateAt : null;
    }
}
