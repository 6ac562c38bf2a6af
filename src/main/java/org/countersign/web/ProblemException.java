package org.countersign.web;

/** Thrown by resources to answer with a problem: the message is safe to show to the caller. */
public class ProblemException extends RuntimeException {
    private final int status;
    private final String title;

    public ProblemException(int status, String title, String detail) {
        super(detail);
        this.status = status;
        this.title = title;
    }

    public Problem problem() {
        return Problem.of(status, title, getMessage());
    }
}
