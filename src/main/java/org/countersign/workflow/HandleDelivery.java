package org.countersign.workflow;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;
import org.countersign.store.DeliveryQueue;

/**
 * Turns a stored webhook delivery into an evaluation of the ticket it names. The payload is only a
 * trigger: the decision reads GitLab's history. Countersign's own actions are not evaluated (no loops).
 */
@ApplicationScoped
public class HandleDelivery {

    /**
     * SKIPPED or DONE, with what happened; {@code coveredUntil}: when the evaluation started reading the
     * ticket's history (null if there was none), so that the deliveries it covered can be skipped.
     */
    public record Result(String status, String outcome, Instant coveredUntil) {
        Result(String status, String outcome) {
            this(status, outcome, null);
        }
    }

    private final GitLabPort gitlab;
    private final EvaluateTicket evaluate;
    private final WatchProjects watch;

    public HandleDelivery(GitLabPort gitlab, EvaluateTicket evaluate, WatchProjects watch) {
        this.gitlab = gitlab;
        this.evaluate = evaluate;
        this.watch = watch;
    }

    public Result handle(DeliveryQueue.Claimed d) {
        if (d.projectId() == null || d.issueIid() == null) {
            return new Result("SKIPPED", "names no issue");
        }
        if (d.actorId() != null && d.actorId() == gitlab.botUserId()) {
            return new Result("SKIPPED", "Countersign's own action");
        }
        if (!watch.isWatched(d.projectId())) {
            return new Result("SKIPPED", "project " + d.projectId() + " is not watched");
        }
        if (d.receivedAt() != null && d.ticketReadAt() != null && d.ticketReadAt().isAfter(d.receivedAt())) {
            // a later evaluation read the history after this delivery arrived: it saw what this one announces
            return new Result("SKIPPED", "covered by the evaluation of " + d.ticketReadAt());
        }
        String trigger = "delivery:" + d.id() + " " + d.eventName() + (d.eventUuid() == null ? "" : " event=" + d.eventUuid());
        Optional<EvaluateTicket.Evaluation> evaluation;
        try {
            evaluation = evaluate.evaluate(d.projectId(), d.issueIid(), trigger, Optional.empty());
        } catch (GitLabFailure e) {
            if (e.notFound()) {
                return new Result("SKIPPED", "issue not found in GitLab (deleted or moved)");
            }
            throw e;
        }
        if (evaluation.isEmpty()) {
            return new Result("SKIPPED", "project " + d.projectId() + " is not watched");
        }
        return new Result("DONE", evaluation.get().decision().verdict().name(), evaluation.get().historyReadAt());
    }
}
