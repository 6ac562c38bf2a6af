package org.countersign.policy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the replay of a history concluded, before any action is chosen: the verdict with its reasons,
 * the sign-offs judged, and the facts {@link Actions} needs (which close, which labels it removed).
 *
 * @param close            the close judged, if the ticket is closed
 * @param labelsRemoved    board-list labels removed in the same update as that close
 * @param validSoFarByNote for each accepted sign-off, how many distinct valid ones the review had with it
 * @param acceptedEarlier  the close was accepted by an earlier decision (then nothing is reopened or retracted)
 * @param emergencyRequests every {@code /emergency} comment, judged
 * @param retroReviewNotes accepted sign-offs given on the closed ticket as retroactive reviews of an emergency close
 */
record Judgement(
        TicketHistory history,
        Verdict verdict,
        List<Reason> reasons,
        List<SignoffCheck> signoffs,
        Optional<Instant> reviewSince,
        Optional<StateChange> close,
        int validSignoffs,
        int requiredSignoffs,
        List<String> labelsRemoved,
        Map<Long, Integer> validSoFarByNote,
        boolean acceptedEarlier,
        Instant watchedSince,
        List<EmergencyRequest> emergencyRequests,
        java.util.Set<Long> retroReviewNotes) {

    Judgement {
        reasons = List.copyOf(reasons);
        signoffs = List.copyOf(signoffs);
        labelsRemoved = List.copyOf(labelsRemoved);
        validSoFarByNote = Map.copyOf(validSoFarByNote);
        emergencyRequests = List.copyOf(emergencyRequests);
        retroReviewNotes = java.util.Set.copyOf(retroReviewNotes);
    }
}
