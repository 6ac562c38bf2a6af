package org.countersign.gitlab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * How long a 429 asks to wait. Header names and meanings: GitLab's Rack::Attack throttles
 * ({@code Gitlab::RackAttack.throttled_response_headers}, lib/gitlab/rack_attack.rb) send
 * {@code Retry-After} (seconds) and {@code RateLimit-Reset} (Unix time); its per-endpoint application
 * limits ({@code API::Helpers::RateLimiter}, lib/api/helpers/rate_limiter.rb) send neither; an HTTP-date
 * {@code Retry-After} is allowed by RFC 9110 §10.2.3.
 */
class RateLimitHeadersTest {

    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

    private static Optional<Duration> waitFrom(String... nameValues) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < nameValues.length; i += 2) {
            headers.put(nameValues[i], nameValues[i + 1]);
        }
        return GitLab4JGateway.retryAfter(headers::get, NOW);
    }

    @Test
    void retryAfterInSeconds() {
        assertEquals(Optional.of(Duration.ofSeconds(37)), waitFrom("Retry-After", "37", "RateLimit-Reset", "1740830500"));
    }

    @Test
    void retryAfterAsAnHttpDateCountsFromTheAnswersDate() {
        // the local clock is 10 minutes off: the wait still is the 90 s between GitLab's Date and its Retry-After
        assertEquals(Optional.of(Duration.ofSeconds(90)), waitFrom("Date", "Sat, 01 Mar 2025 12:10:00 GMT",
                "Retry-After", "Sat, 01 Mar 2025 12:11:30 GMT"));
        assertEquals(Optional.of(Duration.ofSeconds(30)), waitFrom("Retry-After", "Sat, 01 Mar 2025 12:00:30 GMT"));
    }

    @Test
    void rateLimitResetInUnixTimeWhenThereIsNoRetryAfter() {
        long reset = NOW.plusSeconds(42).getEpochSecond();
        assertEquals(Optional.of(Duration.ofSeconds(42)), waitFrom("RateLimit-Reset", String.valueOf(reset)));
        assertEquals(Optional.of(Duration.ofSeconds(42)), waitFrom("Retry-After", "soon", "RateLimit-Reset", String.valueOf(reset)));
        assertEquals(Optional.of(Duration.ofSeconds(12)), waitFrom("Date", "Sat, 01 Mar 2025 12:00:30 GMT",
                "RateLimit-Reset", String.valueOf(reset)));
    }

    @Test
    void aResetAlreadyPastMeansNoWait() {
        assertEquals(Optional.of(Duration.ZERO), waitFrom("RateLimit-Reset", String.valueOf(NOW.minusSeconds(5).getEpochSecond())));
    }

    @Test
    void perEndpointLimitsNameNoWait() {
        assertEquals(Optional.empty(), waitFrom());
        assertEquals(Optional.empty(), waitFrom("Retry-After", "", "RateLimit-Reset", "tomorrow"));
    }
}
