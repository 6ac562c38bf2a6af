package org.countersign.runtime;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter; GitLab's {@code Retry-After} wins when it says more. */
public final class Backoff {
    static final Duration BASE = Duration.ofSeconds(1);
    static final Duration CAP = Duration.ofMinutes(10);

    private Backoff() {
    }

    /** Delay before attempt {@code attempt + 1}, {@code attempt} ≥ 1 being the one that just failed. */
    public static Duration after(int attempt, Optional<Duration> retryAfter) {
        long exp = BASE.toMillis() << Math.min(Math.max(attempt - 1, 0), 20);
        long capped = Math.min(exp, CAP.toMillis());
        long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        long wanted = retryAfter.map(Duration::toMillis).orElse(0L);
        return Duration.ofMillis(Math.max(jittered, wanted));
    }
}
