package org.countersign.policy;

/** Machine-readable reason codes, stored with every decision; {@link Wording} gives the sentences. */
public enum ReasonCode {
    OUT_OF_SCOPE,
    TYPE_NOT_GOVERNED,
    MOVED,
    CLOSED_BEFORE_WATCH,
    NOT_IN_REVIEW,
    IN_REVIEW,
    NOT_IN_REVIEW_AT_CLOSE,
    MISSING_SIGNOFFS,
    SIGNOFFS_COMPLETE,
    ACCEPTED_EARLIER,
    SIGNOFFS_VOIDED,
    SIGNER_IS_COUNTERSIGN,
    SIGNER_NOT_A_PERSON,
    SIGNER_IS_IMPLEMENTER,
    SIGNER_NOT_MEMBER,
    SIGNER_INACTIVE,
    SIGNER_ACCESS_TOO_LOW,
    SIGNOFF_EDITED,
    SIGNOFF_OUTSIDE_REVIEW,
    SIGNOFF_ACCEPTED
}
