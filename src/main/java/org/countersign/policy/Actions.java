package org.countersign.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Chooses the GitLab actions a {@link Judgement} calls for: undo a rejected close, answer sign-offs. */
final class Actions {

    private Actions() {
    }

    static List<Action> choose(Judgement j, PolicySettings s) {
        List<Action> actions = new ArrayList<>();
        Optional<Reason> emergency = j.reasons().stream().filter(r -> r instanceof Reason.EmergencyClose
                || r instanceof Reason.EmergencyReviewed || r instanceof Reason.EmergencyReviewOverdue).findFirst();
        if (j.verdict() == Verdict.CLOSE_REJECTED) {
            StateChange close = j.close().orElseThrow();
            String ref = ReviewPolicy.closeRef(close);
            if (emergency.isPresent()) {
                // the retroactive review did not come in time: back into the review column (not the column the
                // close was dragged from)
                actions.add(new Action.Reopen(ref, List.of(s.reviewLabel())));
                actions.add(new Action.ExplainRejectedClose(ref, Wording.emergencyOverdue(close.by(),
                        (Reason.EmergencyReviewOverdue) emergency.get(), s)));
                actions.add(new Action.ChangeLabels("emergency-label-removed:" + ref, List.of(), List.of(s.emergencyLabel())));
            } else {
                actions.add(new Action.Reopen(ref, j.labelsRemoved()));
                actions.add(new Action.ExplainRejectedClose(ref,
                        Wording.closeRejected(close.by(), j.reasons(), !j.labelsRemoved().isEmpty(), s)));
            }
        }
        if (j.verdict() == Verdict.GRANDFATHERED) {
            return actions;
        }
        String ref = j.close().map(ReviewPolicy::closeRef).orElse("");
        if (j.verdict() == Verdict.REVIEW_OWED && emergency.get() instanceof Reason.EmergencyClose e) {
            actions.add(new Action.ChangeLabels("emergency-label:" + ref, List.of(s.emergencyLabel()), List.of()));
            actions.add(new Action.EmergencyNote("emergency-close:" + ref, Wording.emergencyClose(e, s), false));
        }
        if (j.verdict() == Verdict.CLOSE_ACCEPTED && emergency.isPresent() && emergency.get() instanceof Reason.EmergencyReviewed r) {
            actions.add(new Action.ChangeLabels("emergency-label-removed:" + ref, List.of(), List.of(s.emergencyLabel())));
            actions.add(new Action.EmergencyNote("emergency-reviewed:" + ref, Wording.emergencyReviewed(r, j.signoffs(),
                    j.retroReviewNotes(), s), false));
        }
        for (EmergencyRequest e : j.emergencyRequests()) {
            if (!e.at().isBefore(j.watchedSince())) {
                actions.add(new Action.EmergencyNote("emergency-reply:" + e.noteId(), Wording.emergencyAnswer(e, s), e.internal()));
            }
        }
        for (SignoffCheck c : j.signoffs()) {
            if (c.at().isBefore(j.watchedSince())) {
                continue; // written before Countersign watched: nobody expects an answer any more
            }
            if (j.retroReviewNotes().contains(c.noteId())) {
                continue; // a retroactive review: the note settling the emergency close confirms it
            }
            if (c.reason() instanceof Reason.SignoffEdited) {
                if (!j.acceptedEarlier()) {
                    actions.add(new Action.SignoffEdited(c.noteId(), Wording.signoffEdited(c), c.internal()));
                }
            } else {
                String body = c.accepted()
                        ? Wording.signoffAccepted(c, j.validSoFarByNote().getOrDefault(c.noteId(), 1), s.requiredSignoffs(),
                                s.reviewLabel())
                        : Wording.signoffRefused(c);
                actions.add(new Action.AnswerSignoff(c.noteId(), c.accepted(), body, c.internal()));
            }
        }
        return actions;
    }
}
