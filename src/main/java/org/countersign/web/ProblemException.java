package org.countersign.web;

/** Thrown by resources to answer with a problem: the message is safe to show to the caller. */
public class ProblemException extends RuntimeException {
    private final int status;
    private final String title;
    private final String challenge;

    public ProblemException(int status, String title, String detail) {
        this(status, title, detail, null);
    }

    private ProblemException(int status, String title, String detail, String challenge) {
        super(detail);
        this.status = status;
        this.title = title;
        this.challenge = challenge;
    }

    /**
     * 401 for a missing or wrong bearer token, with the challenge RFC 9110 (11.6.1) requires of a 401 and
     * RFC 6750 (3) words: {@code Bearer realm="countersign"}, plus {@code error="invalid_token"} when a
     * token was sent but is not valid.
     */
    public static ProblemException bearer(boolean tokenSent, String detail) {
        return new ProblemException(401, "Unauthorized", detail,
                "Bearer realm=\"countersign\"" + (tokenSent ? ", error=\"invalid_token\"" : ""));
    }

    /** The WWW-Authenticate value to send with this problem, if any. */
    public java.util.Optional<String> challenge() {
        return java.util.Optional.ofNullable(challenge);
    }

    public Problem problem() {
        return Problem.of(status, title, getMessage());
    }
}
