package org.countersign.workflow;

import java.time.Duration;
import java.util.Optional;

/**
 * A GitLab call that did not succeed. {@code status} is the HTTP status, 0 when GitLab could not be
 * reached. Workers retry every failure with backoff (honouring {@code retryAfter} on 429) until the
 * item's attempts run out.
 */
public class GitLabFailure extends RuntimeException {
    private final int status;
    private final Optional<Duration> retryAfter;

    public GitLabFailure(String message, int status, Optional<Duration> retryAfter, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    public Optional<Duration> retryAfter() {
        return retryAfter;
    }

    public boolean notFound() {
        return status == 404;
    }
}
