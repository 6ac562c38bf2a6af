package org.countersign.gitlab.sim;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * Rate limiting as GitLab answers it (see {@link SimThrottle} for the sources): injected throttles for the next
 * requests, and a real per-user {@code notes_create} limit counted in fixed one-minute windows of the simulated
 * clock, as {@code Gitlab::ApplicationRateLimiter} counts ({@code period_key = now.to_i / interval}; every
 * request increments the counter, throttled when it exceeds the threshold). Thread-safe.
 */
final class SimRateLimits {

    static final String APPLICATION_LIMIT_MESSAGE = "This endpoint has been requested too many times. Try again later.";
    /** GitLab.com's {@code throttle_authenticated_api}: 2,000 requests per 60 s per user. */
    static final int API_QUOTA = 2000;
    static final int API_PERIOD_SECONDS = 60;
    /** {@code notes_create} interval ({@code Gitlab::ApplicationRateLimiter.rate_limits}). */
    static final int NOTES_CREATE_INTERVAL_SECONDS = 60;

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private static final class Rule {
        int remaining;
        final SimThrottle style;
        final BiPredicate<String, String> appliesTo;

        Rule(int remaining, SimThrottle style, BiPredicate<String, String> appliesTo) {
            this.remaining = remaining;
            this.style = style;
            this.appliesTo = appliesTo;
        }
    }

    private final List<Rule> rules = new ArrayList<>(); // guarded by this
    private int notesPerMinute; // 0 = unlimited; guarded by this
    private SimThrottle notesStyle = SimThrottle.APPLICATION;
    private final Map<String, Integer> notesCounts = new HashMap<>(); // "userId:window" -> count

    synchronized void throttleNext(int n, SimThrottle style, BiPredicate<String, String> appliesTo) {
        rules.add(new Rule(n, style, appliesTo));
    }

    synchronized void clear() {
        rules.clear();
    }

    synchronized void limitNoteCreation(int perMinute, SimThrottle style) {
        notesPerMinute = perMinute;
        notesStyle = style;
        notesCounts.clear();
    }

    /** An injected throttle for this request, or null. */
    synchronized SimHttpApi.Response take(String method, String template, Instant now) {
        for (Iterator<Rule> it = rules.iterator(); it.hasNext();) {
            Rule r = it.next();
            if (r.appliesTo.test(method, template)) {
                if (--r.remaining <= 0) {
                    it.remove();
                }
                return response(r.style, now, NOTES_CREATE_INTERVAL_SECONDS);
            }
        }
        return null;
    }

    /** {@code check_rate_limit! :notes_create, scope: current_user}: null when allowed. */
    synchronized SimHttpApi.Response checkNoteCreation(SimUser user, Instant now) {
        if (notesPerMinute <= 0) {
            return null;
        }
        String key = user.id() + ":" + now.getEpochSecond() / NOTES_CREATE_INTERVAL_SECONDS;
        int count = notesCounts.merge(key, 1, Integer::sum);
        return count > notesPerMinute ? response(notesStyle, now, NOTES_CREATE_INTERVAL_SECONDS) : null;
    }

    static SimHttpApi.Response response(SimThrottle style, Instant now, int intervalSeconds) {
        long epoch = now.getEpochSecond();
        long retryAfter = API_PERIOD_SECONDS - epoch % API_PERIOD_SECONDS;
        long reset = epoch + retryAfter;
        return switch (style) {
            case RACK_ATTACK -> {
                Map<String, String> h = quotaHeaders(API_QUOTA + 1, reset);
                h.put("RateLimit-ResetTime", HTTP_DATE.format(Instant.ofEpochSecond(reset)));
                h.put("Retry-After", String.valueOf(retryAfter));
                yield new SimHttpApi.Response(429, null, h);
            }
            case APPLICATION -> new SimHttpApi.Response(429, applicationBody(), Map.of());
            case APPLICATION_RETRY_AFTER -> new SimHttpApi.Response(429, applicationBody(),
                    Map.of("Retry-After", String.valueOf(intervalSeconds)));
            case APPLICATION_WITH_QUOTA_HEADERS -> new SimHttpApi.Response(429, applicationBody(),
                    quotaHeaders(61, reset));
        };
    }

    /** {@code RequestThrottleData#common_response_headers} for {@code throttle_authenticated_api}. */
    private static Map<String, String> quotaHeaders(long observed, long reset) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("RateLimit-Name", "throttle_authenticated_api");
        h.put("RateLimit-Limit", String.valueOf(API_QUOTA));
        h.put("RateLimit-Observed", String.valueOf(observed));
        h.put("RateLimit-Remaining", String.valueOf(Math.max(0, API_QUOTA - observed)));
        h.put("RateLimit-Reset", String.valueOf(reset));
        return h;
    }

    private static ObjectNode applicationBody() {
        ObjectNode n = F.objectNode();
        n.putObject("message").put("error", APPLICATION_LIMIT_MESSAGE);
        return n;
    }
}
