package org.countersign.gitlab.sim;

/**
 * Thrown by simulator actions GitLab's policies refuse (the REST API answers {@code 403 Forbidden} for them),
 * e.g. a Developer editing someone else's comment.
 */
public final class SimForbiddenException extends RuntimeException {
    public SimForbiddenException(String message) {
        super(message);
    }
}
