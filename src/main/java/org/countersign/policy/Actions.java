package org.countersign.policy;

import java.util.ArrayList;
import java.util.List;

/** Chooses the GitLab actions a {@link Judgement} calls for: undo a rejected close, answer sign-offs. */
final class Actions {

    private Actions() {
    }

    static List<Action> choose(Judgement j, PolicySettings s) {
        List<Action> actions = new ArrayList<>();
        if (j.verdict() == Verdict.CLOSE_REJECTED) {
            StateChange close = j.close().orElseThrow();
            String ref = ReviewPolicy.closeRef(close);
            actions.add(new Action.Reopen(ref, j.labelsRemoved()));
            actions.add(new Action.ExplainRejectedClose(ref,
                    Wording.closeRejected(close.by(), j.reasons(), !j.labelsRemoved().isEmpty(), s)));
        }
        if (j.verdict() == Verdict.GRANDFATHERED) {
            return actions;
        }
        for (SignoffCheck c : j.signoffs()) {
            if (c.at().isBefore(j.watchedSince())) {
                continue; // written before Countersign watched: nobody expects an answer any more
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
