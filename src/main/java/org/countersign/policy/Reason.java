package org.countersign.policy;

import java.util.Objects;

/** One explained fact behind a decision: a code for machines, a sentence for people. */
public record Reason(ReasonCode code, String message) {
    public Reason {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }
}
