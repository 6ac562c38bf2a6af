package org.countersign.runtime;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** How long a failed item waits before its next try. */
public final class Backoff {
    static final Duration BASE = Duration.ofSeconds(1);
    static final Duration CAP = Duration.ofMinutes(10);
    /** A 429's own advice is followed down to this (a "0" or a reset already past must not make a busy loop)… */
    static final Duration THROTTLE_FLOOR = Duration.ofSeconds(1);
    /** …and up to this: a wrong clock or header must not park enforcement for days. */
    static final Duration THROTTLE_CEILING = Duration.ofHours(1);

    private Backoff() {
    }

    /**
     * Transient failure: exponential backoff with jitter, 1 s, 2 s, 4 s … up to 10 min; {@code attempt} ≥ 1
     * is the attempt that just failed. {@code retryAfter} wins when it asks for more.
     */
    public static Duration after(int attempt, Optional<Duration> retryAfter) {
        long capped = exponential(attempt, BASE, CAP);
        long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        long wanted = retryAfter.map(Duration::toMillis).orElse(0L);
        return Duration.ofMillis(Math.max(jittered, wanted));
    }

    /**
     * A 429, the {@code throttles}-th (≥ 1) this item met. When GitLab said how long to wait
     * ({@code retryAfter}), that long (within [1 s, 1 h]) plus up to a tenth more, so that items throttled
     * together do not all come back in the same instant. When it did not (GitLab's per-endpoint limits),
     * exponentially from {@code base} up to {@code cap}, jittered by up to a fifth below.
     */
    public static Duration throttled(int throttles, Optional<Duration> retryAfter, Duration base, Duration cap) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (retryAfter.isPresent()) {
            long ms = Math.min(Math.max(retryAfter.get().toMillis(), THROTTLE_FLOOR.toMillis()), THROTTLE_CEILING.toMillis());
            return Duration.ofMillis(ms + random.nextLong(ms / 10 + 1));
        }
        long capped = exponential(throttles, base, cap);
        return Duration.ofMillis(capped - random.nextLong(capped / 5 + 1));
    }

    /** {@code base · 2^(n-1)}, at most {@code cap}, in milliseconds (at least 1). */
    private static long exponential(int n, Duration base, Duration cap) {
        long b = Math.max(1, base.toMillis());
        long c = Math.max(b, cap.toMillis());
        int shift = Math.min(Math.max(n - 1, 0), 30);
        long exp = b > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : b << shift;
        return Math.min(exp, c);
    }
}
