package org.countersign.policy;

import java.util.Locale;

/**
 * How decisions are applied. {@link #ENFORCE}: closes without review are undone. {@link #SHADOW}: the
 * same decisions are made and audited, but nothing is reopened and no label changed; one note per close
 * says what enforcement would have done and why.
 */
public enum Mode {
    ENFORCE,
    SHADOW;

    /** The name used in configuration and in the audit trail ({@code enforce}, {@code shadow}). */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static Mode parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        for (Mode m : values()) {
            if (m.key().equals(t)) {
                return m;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a mode (expected enforce or shadow)");
    }
}
