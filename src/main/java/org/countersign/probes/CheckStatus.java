package org.countersign.probes;

import java.util.Locale;

/** A check's state, as healthchecks.io users know them. Stored and shown in lower case. */
public enum CheckStatus {
    /** Never pinged. */
    NEW,
    /** Pinged in time (or succeeded last). */
    UP,
    /** A start ping with no end yet. */
    STARTED,
    /** Past its due time, within grace. */
    LATE,
    /** Past due and grace, or reported a failure. */
    DOWN;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CheckStatus of(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT));
    }
}
