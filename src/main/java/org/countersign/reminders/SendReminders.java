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
 * checked on retries). The tickets are read in pages that leave out those already reminded for their
 * current period (in SQL, by that key), one page after the other until all are seen: each pass reaches
 * every ticket owed a reminder, however many wait.
 */
@ApplicationScoped
public class SendReminders {

    private static final Logger LOG = Logger.getLogger(SendReminders.class);
    /** Tickets read per page (the oldest waits first); a pass reads pages until none is left. */
    static final int PAGE = 500;

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
        return run(PAGE);
    }

    /** As {@link #run()}, reading {@code page} tickets at a time. */
    public int run(int page) {
        Optional<Duration> after = reminders.after();
        if (after.isEmpty()) {
            return 0;
        }
        Instant now = clock.instant();
        int queued = 0;
        TicketRepository.Waiting cursor = null;
        List<TicketRepository.Waiting> batch;
        do {
            batch = tickets.owedReminder(now.minus(after.get()), now, after.get(), cursor, page);
            for (TicketRepository.Waiting w : batch) {
                long period = Reminders.period(w.reviewSince(), now, after.get());
                if (actions.exists(w.projectId(), w.iid(), Action.RemindReviewers.key(w.reviewSince(), period))) {
                    continue; // reminded for this period meanwhile (by another instance)
                }
                try {
                    if (remind(w, after.get())) {
                        queued++;
                    }
                } catch (GitLabFailure e) {
                    LOG.warnf("reminder for %d#%d not sent this pass, GitLab failed: %s", w.projectId(), w.iid(), e.getMessage());
                }
            }
            cursor = batch.isEmpty() ? cursor : batch.get(batch.size() - 1);
        } while (batch.size() == page);
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
