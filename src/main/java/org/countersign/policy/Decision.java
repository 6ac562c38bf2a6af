package org.countersign.policy;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The outcome of {@link ReviewPolicy#decide}: what the ticket's state is under the rule, why (reason
 * codes with their facts), and what Countersign must do in GitLab. Pure data, stored in the audit trail
 * and shown on pages; {@link Wording} renders it.
 *
 * @param reviewSince when the ticket entered the review column for the current review, if it is there
 * @param closeRef    the close this decision judged (state event id, or {@code at-<epoch ms>}), if any
 * @param closedBy    who made that close, if GitLab says
 * @param implementers who worked on the ticket and so may not sign it off (empty for tickets not governed)
 * @param reviewBy    who moved the ticket into the review column the last time, starting the review of
 *                    {@code reviewSince} (empty when not in review, or when GitLab does not say who)
 */
public record Decision(
        long projectId,
        long iid,
        Verdict verdict,
        List<Reason> reasons,
        List<SignoffCheck> signoffs,
        List<Action> actions,
        Optional<Instant> reviewSince,
        Optional<String> closeRef,
        Optional<UserRef> closedBy,
        int validSignoffs,
        int requiredSignoffs,
        List<Implementer> implementers,
        Optional<UserRef> reviewBy) {

    /** A decision that does not say who started the review. */
    public Decision(long projectId, long iid, Verdict verdict, List<Reason> reasons, List<SignoffCheck> signoffs,
                    List<Action> actions, Optional<Instant> reviewSince, Optional<String> closeRef,
                    Optional<UserRef> closedBy, int validSignoffs, int requiredSignoffs, List<Implementer> implementers) {
        this(projectId, iid, verdict, reasons, signoffs, actions, reviewSince, closeRef, closedBy, validSignoffs,
                requiredSignoffs, implementers, Optional.empty());
    }

    /** A decision that names no implementers. */
    public Decision(long projectId, long iid, Verdict verdict, List<Reason> reasons, List<SignoffCheck> signoffs,
                    List<Action> actions, Optional<Instant> reviewSince, Optional<String> closeRef,
                    Optional<UserRef> closedBy, int validSignoffs, int requiredSignoffs) {
        this(projectId, iid, verdict, reasons, signoffs, actions, reviewSince, closeRef, closedBy, validSignoffs,
                requiredSignoffs, List.of());
    }

    public Decision {
        Objects.requireNonNull(verdict, "verdict");
        reasons = List.copyOf(reasons);
        signoffs = List.copyOf(signoffs);
        actions = List.copyOf(actions);
        implementers = List.copyOf(implementers);
        Objects.requireNonNull(reviewSince, "reviewSince");
        Objects.requireNonNull(closeRef, "closeRef");
        Objects.requireNonNull(closedBy, "closedBy");
        Objects.requireNonNull(reviewBy, "reviewBy");
    }

    /** A decision with no close, sign-off or action: not governed, in progress and the like. */
    static Decision plain(TicketHistory h, Verdict verdict, Reason reason, int required) {
        return new Decision(h.projectId(), h.iid(), verdict, List.of(reason), List.of(), List.of(), Optional.empty(),
                Optional.empty(), Optional.empty(), 0, required);
    }

    /**
     * Identifies what was decided, ignoring when: two decisions with the same fingerprint say the
     * same thing, so only a change is worth a new audit entry.
     */
    public String fingerprint() {
        return verdict
                + "|" + closeRef.orElse("")
                + "|" + validSignoffs + "/" + requiredSignoffs
                + "|" + reasons.stream().map(r -> r.code().name()).collect(Collectors.joining(","))
                + "|" + signoffs.stream().map(s -> s.noteId() + (s.counts() ? "+" : s.accepted() ? "~" : "-"))
                        .collect(Collectors.joining(","))
                + "|" + actions.stream().map(Action::key).collect(Collectors.joining(","));
    }
}
