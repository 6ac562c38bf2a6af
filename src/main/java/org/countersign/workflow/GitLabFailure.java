package org.countersign.workflow;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * A GitLab call that did not succeed. {@code status} is the HTTP status, 0 when GitLab could not be
 * reached (or answered something unusable). What the workers do about it depends on its {@link Kind}:
 * transient failures are retried with growing backoff until the item's attempts run out, a 429 waits
 * as GitLab says without using up an attempt, a permanent one is not tried again and again — it is
 * parked at once with a {@link #reason reason that names the fix}, and when the fix is the operator's
 * (token, role) it is retried by itself once that fix is made (see runtime/Workers).
 */
public class GitLabFailure extends RuntimeException {

    /** How a failure should be handled. */
    public enum Kind {
        /** GitLab down, slow, unreachable or erring (0, 408, 5xx): trying again later may work. */
        TRANSIENT,
        /** 429: GitLab asks to slow down; the request itself is fine. */
        RATE_LIMITED,
        /** Any other 4xx: the same request will get the same answer until someone changes something. */
        PERMANENT
    }

    private final int status;
    private final Optional<Duration> retryAfter;
    private final String operation;
    private final String gitlabMessage;

    public GitLabFailure(String message, int status, Optional<Duration> retryAfter, Throwable cause) {
        this(message, status, retryAfter, null, null, cause);
    }

    /**
     * @param operation     what was called, e.g. {@code PUT issue state_event=reopen} (null if unknown)
     * @param gitlabMessage what GitLab said in its answer, may be null
     * @param retryAfter    for a 429, how long GitLab asked to wait, if it said so
     */
    public GitLabFailure(String message, int status, Optional<Duration> retryAfter, String operation, String gitlabMessage,
                         Throwable cause) {
        super(message, cause);
        this.status = status;
        this.retryAfter = retryAfter == null ? Optional.empty() : retryAfter;
        this.operation = operation;
        this.gitlabMessage = gitlabMessage;
    }

    /** The kind of an HTTP status; 0 stands for "no answer". */
    public static Kind kindOf(int status) {
        if (status == 429) {
            return Kind.RATE_LIMITED;
        }
        // 408 is a timeout on GitLab's side of the connection, like ours
        if (status >= 400 && status < 500 && status != 408) {
            return Kind.PERMANENT;
        }
        return Kind.TRANSIENT;
    }

    public Kind kind() {
        return kindOf(status);
    }

    public int status() {
        return status;
    }

    /** For a 429: how long GitLab asked to wait ({@code Retry-After} or {@code RateLimit-Reset}); empty if it did not say. */
    public Optional<Duration> retryAfter() {
        return retryAfter;
    }

    /** The GitLab call that failed, e.g. {@code POST note}; null when unknown. */
    public String operation() {
        return operation;
    }

    public boolean notFound() {
        return status == 404;
    }

    /**
     * Whether the failure goes away once an operator fixes the bot's token (401) or its role (403),
     * without anything changing in the ticket: such work is worth trying again after a while.
     */
    public boolean fixableByOperator() {
        return status == 401 || status == 403;
    }

    /**
     * The sentence an operator reads (health, admin listing, logs): what GitLab refused and what fixes
     * it, naming the project ({@code projectPath}, e.g. {@code infra/interventions}).
     */
    public String reason(String projectPath) {
        String project = projectPath == null || projectPath.isBlank() ? "the project" : projectPath;
        String said = gitlabMessage == null || gitlabMessage.isBlank() ? "" : ": " + gitlabMessage.strip();
        String call = operation == null ? "a call" : operation;
        return switch (status) {
            case 401 -> "GitLab rejected the bot's token (revoked, expired, or its user blocked): set a new "
                    + "COUNTERSIGN_GITLAB_TOKEN (scope api) and restart Countersign";
            case 403 -> "the bot account lacks the rights to " + verb() + " on " + project
                    + ": give it the Developer role (GitLab answered 403 to " + call + ")";
            case 404 -> "GitLab answered 404 to " + call + " on " + project + ": the issue was deleted or moved, or the bot "
                    + "can no longer see the project (make it a member with the Developer role)";
            case 422 -> "GitLab refused " + call + " on " + project + " (422)" + said;
            default -> "GitLab refused " + call + " on " + project + " (HTTP " + status + ")" + said;
        };
    }

    /** What the failed call does, in words, from the gateway's operation names. */
    private String verb() {
        String op = operation == null ? "" : operation.toLowerCase(Locale.ROOT);
        if (op.contains("reopen")) {
            return "reopen issues";
        } else if (op.contains("label")) {
            return "edit issue labels";
        } else if (op.startsWith("post") && op.contains("note")) {
            return "comment on issues";
        } else if (op.startsWith("get")) {
            return "read issues";
        }
        return op.isEmpty() ? "act on issues" : "call " + operation;
    }
}
