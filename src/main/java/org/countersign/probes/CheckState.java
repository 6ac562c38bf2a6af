package org.countersign.probes;

import java.time.Instant;

/** What is stored about a check between pings. {@code downSince}: set while it is failing (down), for the incident. */
public record CheckState(CheckStatus status, Instant createdAt, Instant lastPingAt, Instant lastStartAt, Instant downSince) {

    public static CheckState fresh(Instant createdAt) {
        return new CheckState(CheckStatus.NEW, createdAt, null, null, null);
    }
}
