package org.countersign.store;

import java.time.Instant;

/**
 * A ticket's latest decision as stored; {@code decision} is the decision as JSON text;
 * {@code historyReadAt} (database clock) is when the history it was made from started to be read.
 */
public record StoredTicket(long projectId, long iid, String title, String webUrl, String verdict, String summary,
                           String fingerprint, String decision, Instant reviewSince, int validSignoffs,
                           int requiredSignoffs, Instant gitlabUpdatedAt, Instant evaluatedAt, Instant historyReadAt) {

    static StoredTicket of(TicketEntity e) {
        return new StoredTicket(e.key.projectId, e.key.iid, e.title, e.webUrl, e.verdict, e.summary, e.fingerprint,
                e.decision, e.reviewSince, e.validSignoffs, e.requiredSignoffs, e.gitlabUpdatedAt, e.evaluatedAt,
                e.historyReadAt);
    }
}
