package org.countersign.workflow;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.countersign.store.DeliveryQueue;
import org.countersign.store.StoredTicket;
import org.countersign.store.TicketRepository;

/**
 * Turns a stored webhook delivery into an evaluation of the ticket it names. The payload is only a
 * trigger: the decision reads GitLab's history. Countersign's own actions are not evaluated (no loops).
 */
@ApplicationScoped
public class HandleDelivery {

    /** SKIPPED or DONE, with what happened. */
    public record Result(String status, String outcome) {
    }

    private final GitLabPort gitlab;
    private final EvaluateTicket evaluate;
    private final WatchProjects watch;
    private final TicketRepository tickets;
    private final DeliveryQueue deliveries;

    public HandleDelivery(GitLabPort gitlab, EvaluateTicket evaluate, WatchProjects watch, TicketRepository tickets,
                          DeliveryQueue deliveries) {
        this.gitlab = gitlab;
        this.evaluate = evaluate;
        this.watch = watch;
        this.tickets = tickets;
        this.deliveries = deliveries;
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
        Optional<StoredTicket> stored = tickets.find(d.projectId(), d.issueIid());
        if (d.receivedAt() != null && stored.isPresent() && stored.get().historyReadAt() != null
                && stored.get().historyReadAt().isAfter(d.receivedAt())) {
            // a later evaluation read the history after this delivery arrived: it saw what this one announces
            return new Result("SKIPPED", "covered by the evaluation of " + stored.get().historyReadAt());
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
        deliveries.skipCovered(d.projectId(), d.issueIid(), evaluation.get().historyReadAt(),
                "covered by the evaluation of delivery " + d.id());
        return new Result("DONE", evaluation.get().decision().verdict().name());
    }
}
