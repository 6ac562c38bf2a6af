package org.countersign.reminders;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.countersign.policy.Action;
import org.countersign.policy.Decision;
import org.countersign.policy.ProjectMember;
import org.countersign.policy.Reminders;
import org.countersign.runtime.WorkSignal;
import org.countersign.store.ActionQueue;
import org.countersign.store.AuditLog;
import org.countersign.store.AuditRecord;
import org.countersign.store.DecisionJson;
import org.countersign.store.TicketRepository;
import org.countersign.workflow.EvaluateTicket;
import org.countersign.workflow.GitLabFailure;
import org.countersign.workflow.GitLabPort;
import org.jboss.logging.Logger;

/**
 * One reminder pass: every ticket whose latest decision says it waits for review longer than
 * {@code COUNTERSIGN_REMINDER_AFTER} is decided again on its current history; if it still waits, the
 * reminder for the current period is queued as a note action.
 *
 * <p>Every instance runs passes; a reminder goes out once because its action key (review start and
 * period number) is unique per ticket in {@code pending_action} ({@code INSERT … ON CONFLICT DO NOTHING}):
 * the second instance's insert does nothing, and the action worker posts the note once (with a marker,
 * checked on retries). A ticket already reminded for the current period costs one indexed lookup.
 */
@ApplicationScoped
public class SendReminders {

    private static final Logger LOG = Logger.getLogger(SendReminders.class);
    /** Tickets looked at per pass at most (the oldest waits first); the next pass takes the rest. */
    static final int MAX_PER_PASS = 500;

    private final ReminderSettings reminders;
    private final TicketRepository tickets;
    private final ActionQueue actions;
    private final EvaluateTicket evaluate;
    private final GitLabPort gitlab;
    private final DecisionJson json;
    private final AuditLog audit;
    private final WorkSignal signal;
    private final Clock clock;

    public SendReminders(ReminderSettings reminders, TicketRepository tickets, ActionQueue actions,
                         EvaluateTicket evaluate, GitLabPort gitlab, DecisionJson json, AuditLog audit, WorkSignal signal,
                         Clock clock) {
        this.reminders = reminders;
        this.tickets = tickets;
        this.actions = actions;
        this.evaluate = evaluate;
        this.gitlab = gitlab;
        this.json = json;
        this.audit = audit;
        this.signal = signal;
        this.clock = clock;
    }

    /** Runs one pass; returns how many reminders this call queued (another instance may have queued others). */
    public int run() {
        Optional<Duration> after = reminders.after();
        if (after.isEmpty()) {
            return 0;
        }
        Instant now = clock.instant();
        int queued = 0;
        for (TicketRepository.Waiting w : tickets.waitingSince(now.minus(after.get()), MAX_PER_PASS)) {
            long period = Reminders.period(w.reviewSince(), now, after.get());
            if (actions.exists(w.projectId(), w.iid(), Action.RemindReviewers.key(w.reviewSince(), period))) {
                continue; // reminded for this period already (by this instance or another)
            }
            try {
                if (remind(w, after.get())) {
                    queued++;
                }
            } catch (GitLabFailure e) {
                LOG.warnf("reminder for %d#%d not sent this pass, GitLab failed: %s", w.projectId(), w.iid(), e.getMessage());
            }
        }
        if (queued > 0) {
            signal.actionsQueued();
        }
        return queued;
    }

    private boolean remind(TicketRepository.Waiting w, Duration after) {
        Optional<EvaluateTicket.Evaluation> ev = evaluate.evaluate(w.projectId(), w.iid(), "reminder", Optional.empty());
        if (ev.isEmpty()) {
            return false;
        }
        Decision d = ev.get().decision();
        Instant now = clock.instant();
        if (d.reviewSince().isEmpty() || Reminders.period(d.reviewSince().get(), now, after) < 1) {
            return false; // signed off, left the column or came back to it since the row was written
        }
        List<ProjectMember> members = gitlab.members(w.projectId());
        // the rule the decision was made under: the project's policy in force, not only the environment's
        Optional<Action.RemindReviewers> reminder = Reminders.remind(d, ev.get().policy(), members, now, after);
        if (reminder.isEmpty()) {
            return false;
        }
        Action.RemindReviewers r = reminder.get();
        return QuarkusTransaction.requiringNew().call(() -> {
            boolean fresh = actions.enqueue(w.projectId(), w.iid(), r.key(), DecisionJson.kind(r), json.action(r), null);
            if (fresh) {
                audit.append(new AuditRecord(null, now, w.projectId(), w.iid(), "REMINDER", null, "QUEUED",
                        "Reminder " + r.period() + " of the review begun " + org.countersign.policy.Wording.time(r.reviewSince())
                                + (r.reviewers().isEmpty() ? ": nobody eligible" : " to " + String.join(", ", r.reviewers())),
                        "reminder", r.key(), null));
                LOG.infof("ticket %d#%d: reminder queued (%s)", w.projectId(), w.iid(), r.key());
            }
            return fresh;
        });
    }
}
