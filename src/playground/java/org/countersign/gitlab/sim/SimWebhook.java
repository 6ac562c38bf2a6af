package org.countersign.gitlab.sim;

import java.time.Instant;

/**
 * Snapshot of a project webhook. {@code alertStatus} follows GitLab's {@code WebHooks::AutoDisabling}:
 * {@code executable}, {@code temporarily_disabled} (after 4 consecutive failures, until
 * {@code disabledUntil}) or {@code disabled} (after 40).
 */
public record SimWebhook(long id, long projectId, String url, String secretToken, boolean issuesEvents,
        boolean confidentialIssuesEvents, boolean noteEvents, boolean confidentialNoteEvents, int recentFailures,
        Instant disabledUntil, String alertStatus, Instant createdAt, boolean pushEvents, boolean enableSslVerification) {

    public boolean executable() {
        return "executable".equals(alertStatus);
    }
}
