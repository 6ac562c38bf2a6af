package org.countersign.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * Shadow mode as a pure rewrite of a {@link Decision}: the verdict and reasons stay as decided (they
 * are audited as usual); every change to the ticket (reopen, label) and the note explaining a reopen
 * give way to one {@link Action.ShadowClose} note per judged close, saying what enforcement would have
 * done. Other notes (answers to sign-offs and commands) are kept: they change nothing on the ticket.
 */
public final class ShadowMode {

    private ShadowMode() {
    }

    public static Decision apply(Decision d, PolicySettings s) {
        List<Action> kept = new ArrayList<>();
        boolean labelsWouldBeRestored = false;
        for (Action a : d.actions()) {
            if (a instanceof Action.Reopen r) {
                labelsWouldBeRestored = !r.restoreLabels().isEmpty();
            } else if (a instanceof Action.Note n && !(a instanceof Action.ExplainRejectedClose)) {
                kept.add(n);
            }
        }
        boolean judgedClose = d.closeRef().isPresent()
                && (d.verdict() == Verdict.CLOSE_REJECTED || d.verdict() == Verdict.CLOSE_ACCEPTED);
        if (judgedClose) {
            kept.add(0, new Action.ShadowClose(d.closeRef().get(), Wording.shadowClose(d, labelsWouldBeRestored, s)));
        }
        return new Decision(d.projectId(), d.iid(), d.verdict(), d.reasons(), d.signoffs(), kept, d.reviewSince(),
                d.closeRef(), d.closedBy(), d.validSignoffs(), d.requiredSignoffs(), d.implementers(), d.reviewBy());
    }
}
