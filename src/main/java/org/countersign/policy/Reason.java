package org.countersign.policy;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One fact behind a decision or a sign-off verdict: a {@link ReasonCode} for machines and the facts it
 * rests on. Sentences for people come from {@link Wording#reason(Reason)}, the one wording source.
 */
public sealed interface Reason {

    ReasonCode code();

    /** The scope label is set and the ticket never carried it. */
    record OutOfScope(String scopeLabel) implements Reason {
        public ReasonCode code() {
            return ReasonCode.OUT_OF_SCOPE;
        }
    }

    /** The work item's type (task, epic …) is not one of {@code governedTypes}. */
    record TypeNotGoverned(String type, Set<String> governedTypes) implements Reason {
        public TypeNotGoverned {
            governedTypes = Set.copyOf(governedTypes);
        }

        public ReasonCode code() {
            return ReasonCode.TYPE_NOT_GOVERNED;
        }
    }

    /** The issue was moved to another project: it goes on there (GitLab's {@code moved_to_id}). */
    record Moved(long movedToId) implements Reason {
        public ReasonCode code() {
            return ReasonCode.MOVED;
        }
    }

    record ClosedBeforeWatch(Instant watchedSince) implements Reason {
        public ReasonCode code() {
            return ReasonCode.CLOSED_BEFORE_WATCH;
        }
    }

    /** Open and not in the review column. */
    record WorkInProgress(String reviewLabel) implements Reason {
        public ReasonCode code() {
            return ReasonCode.NOT_IN_REVIEW;
        }
    }

    /** Open in the review column since {@code since}, with {@code valid} of {@code required} sign-offs. */
    record InReview(String reviewLabel, Instant since, int valid, int required) implements Reason {
        public ReasonCode code() {
            return valid >= required ? ReasonCode.SIGNOFFS_COMPLETE : ReasonCode.IN_REVIEW;
        }
    }

    /** Closed by {@code closer} from the review column with enough sign-offs. */
    record ClosedAfterReview(Optional<UserRef> closer, String reviewLabel, int valid, int required) implements Reason {
        public ReasonCode code() {
            return ReasonCode.SIGNOFFS_COMPLETE;
        }
    }

    /**
     * This close was accepted when it was judged; what changed since (a reviewer removed or demoted, the
     * review label renamed or deleted, a sign-off edited) cannot undo that.
     */
    record AcceptedEarlier(String closeRef) implements Reason {
        public ReasonCode code() {
            return ReasonCode.ACCEPTED_EARLIER;
        }
    }

    record NotInReviewAtClose(String reviewLabel) implements Reason {
        public ReasonCode code() {
            return ReasonCode.NOT_IN_REVIEW_AT_CLOSE;
        }
    }

    /** Fewer valid sign-offs than required; who may not give one, having worked on it. */
    record MissingSignoffs(int valid, int required, String reviewLabel, Optional<Instant> reviewSince,
                           List<Implementer> implementers) implements Reason {
        public MissingSignoffs {
            implementers = List.copyOf(implementers);
        }

        public ReasonCode code() {
            return ReasonCode.MISSING_SIGNOFFS;
        }
    }

    /** {@code count} sign-offs were given, then the ticket left the review column. */
    record SignoffsVoided(int count, String reviewLabel) implements Reason {
        public ReasonCode code() {
            return ReasonCode.SIGNOFFS_VOIDED;
        }
    }

    /** Written with Countersign's own account (a shared token): the account that enforces cannot review. */
    record SignerIsCountersign() implements Reason {
        public ReasonCode code() {
            return ReasonCode.SIGNER_IS_COUNTERSIGN;
        }
    }

    /** A bot, service account or the ghost user: no person answers for it. */
    record SignerNotAPerson(SignerFacts.Account account) implements Reason {
        public SignerNotAPerson {
            Objects.requireNonNull(account, "account");
        }

        public ReasonCode code() {
            return ReasonCode.SIGNER_NOT_A_PERSON;
        }
    }

    record SignerIsImplementer(List<String> roles) implements Reason {
        public SignerIsImplementer {
            roles = List.copyOf(roles);
        }

        public ReasonCode code() {
            return ReasonCode.SIGNER_IS_IMPLEMENTER;
        }
    }

    record SignerNotMember(int minAccessLevel) implements Reason {
        public ReasonCode code() {
            return ReasonCode.SIGNER_NOT_MEMBER;
        }
    }

    /** Blocked, deactivated or otherwise not an active user. */
    record SignerInactive() implements Reason {
        public ReasonCode code() {
            return ReasonCode.SIGNER_INACTIVE;
        }
    }

    record SignerAccessTooLow(int accessLevel, int minAccessLevel) implements Reason {
        public ReasonCode code() {
            return ReasonCode.SIGNER_ACCESS_TOO_LOW;
        }
    }

    /** The note changed after it was written ({@code updated_at} later than {@code created_at}). */
    record SignoffEdited(Instant editedAt) implements Reason {
        public ReasonCode code() {
            return ReasonCode.SIGNOFF_EDITED;
        }
    }

    record SignoffOutsideReview(String reviewLabel, boolean closed) implements Reason {
        public ReasonCode code() {
            return ReasonCode.SIGNOFF_OUTSIDE_REVIEW;
        }
    }

    record SignoffAccepted(int accessLevel) implements Reason {
        public ReasonCode code() {
            return ReasonCode.SIGNOFF_ACCEPTED;
        }
    }

    /**
     * Closed by {@code closer} without review under the emergency path {@code requester} asked for: the
     * close stands, a retroactive review is due by {@code due}.
     */
    record EmergencyClose(Optional<UserRef> closer, UserRef requester, String reason, Instant due, String label)
            implements Reason {
        public ReasonCode code() {
            return ReasonCode.EMERGENCY_CLOSE;
        }
    }

    /** An emergency close that {@code reviewers} reviewed retroactively (on the closed ticket, in time). */
    record EmergencyReviewed(Optional<UserRef> closer, UserRef requester, List<UserRef> reviewers) implements Reason {
        public EmergencyReviewed {
            reviewers = List.copyOf(reviewers);
        }

        public ReasonCode code() {
            return ReasonCode.EMERGENCY_REVIEWED;
        }
    }

    /** An emergency close whose retroactive review was due by {@code due} and did not come. */
    record EmergencyReviewOverdue(UserRef requester, Instant due, String reviewLabel) implements Reason {
        public ReasonCode code() {
            return ReasonCode.EMERGENCY_REVIEW_OVERDUE;
        }
    }

    /** An {@code /emergency} that counts: the next close of the ticket stands. */
    record EmergencyAccepted(String reason) implements Reason {
        public ReasonCode code() {
            return ReasonCode.EMERGENCY_ACCEPTED;
        }
    }

    /** An {@code /emergency} with no reason given. */
    record EmergencyWithoutReason() implements Reason {
        public ReasonCode code() {
            return ReasonCode.EMERGENCY_WITHOUT_REASON;
        }
    }

    /** An {@code /emergency} by someone below Developer, not a member, not a person, or inactive. */
    record EmergencyNotAllowed(Optional<Integer> accessLevel) implements Reason {
        public ReasonCode code() {
            return ReasonCode.EMERGENCY_NOT_ALLOWED;
        }
    }

    /** An {@code /emergency} on a ticket that is already closed. */
    record EmergencyOnClosedTicket() implements Reason {
        public ReasonCode code() {
            return ReasonCode.EMERGENCY_ON_CLOSED_TICKET;
        }
    }

    /** The emergency path is switched off for this project. */
    record EmergencyDisabled() implements Reason {
        public ReasonCode code() {
            return ReasonCode.EMERGENCY_DISABLED;
        }
    }
}
