package org.countersign.probes;

/** Why a check changed state; stored with every transition. */
public enum Cause {
    /** A success ping (or exit status 0). */
    SUCCESS("success"),
    /** A start ping. */
    STARTED("started"),
    /** Past due: the ping was not in time (late). */
    LATE("late"),
    /** Past due and grace: the ping was missed. */
    MISSED("missed"),
    /** The job reported a failure ({@code /fail}). */
    FAILED("failed"),
    /** The job reported a non-zero exit status. */
    EXIT_STATUS("exit status"),
    /** The job ended sooner than min-duration after its start. */
    TOO_SHORT("ran for less than min-duration"),
    /** A start with no end after grace. */
    NO_END("start without end after grace");

    private final String text;

    Cause(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    public boolean isFailure() {
        return this == MISSED || this == FAILED || this == EXIT_STATUS || this == TOO_SHORT || this == NO_END;
    }
}
