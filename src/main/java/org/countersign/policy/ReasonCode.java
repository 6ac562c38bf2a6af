package org.countersign.policy;

/** Machine-readable reason codes; the text for people is in {@link Reason#message()}. */
public enum ReasonCode {
    OUT_OF_SCOPE,
    CLOSED_BEFORE_WATCH,
    CLOSED_BY_COUNTERSIGN,
    NOT_IN_REVIEW,
    IN_REVIEW,
    NOT_IN_REVIEW_AT_CLOSE,
    MISSING_SIGNOFFS,
    SIGNOFFS_COMPLETE,
    SIGNOFFS_VOIDED,
    SIGNER_IS_IMPLEMENTER,
    SIGNER_ACCESS_TOO_LOW,
    SIGNER_NOT_MEMBER,
    SIGNOFF_OUTSIDE_REVIEW,
    SIGNOFF_ACCEPTED
}
