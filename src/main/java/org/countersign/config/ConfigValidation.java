package org.countersign.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.countersign.policy.AccessLevels;

/**
 * Checks the settings once at start-up and names every bad key by its environment variable, so an
 * operator sees at a glance what to fix. Pure: no Quarkus types beyond the mapping.
 */
public final class ConfigValidation {

    private ConfigValidation() {
    }

    /** The problems found, one sentence each; empty when the configuration is usable. */
    public static List<String> problems(CountersignConfig c) {
        List<String> p = new ArrayList<>();
        Optional<String> url = c.gitlab().url().filter(s -> !s.isBlank());
        if (url.isEmpty()) {
            p.add(missing("COUNTERSIGN_GITLAB_URL", "countersign.gitlab.url", "the GitLab base URL, e.g. https://gitlab.example.org"));
        } else if (!isHttpUrl(url.get())) {
            p.add("COUNTERSIGN_GITLAB_URL (countersign.gitlab.url) is not an http(s) URL: '" + url.get() + "'");
        }
        if (c.gitlab().token().filter(s -> !s.isBlank()).isEmpty()) {
            p.add(missing("COUNTERSIGN_GITLAB_TOKEN", "countersign.gitlab.token", "the bot user's token with scope api"));
        }
        if (c.webhook().secret().filter(s -> !s.isBlank()).isEmpty()) {
            p.add(missing("COUNTERSIGN_WEBHOOK_SECRET", "countersign.webhook.secret", "the secret token set on the GitLab webhook"));
        }
        if (c.projects().map(l -> l.stream().noneMatch(s -> !s.isBlank())).orElse(true)) {
            p.add(missing("COUNTERSIGN_PROJECTS", "countersign.projects", "watched projects, comma-separated ids or full paths"));
        }
        if (c.review().label().isBlank()) {
            p.add("COUNTERSIGN_REVIEW_LABEL (countersign.review.label) must not be blank");
        }
        if (c.review().requiredSignoffs() < 1) {
            p.add("COUNTERSIGN_REVIEW_REQUIRED_SIGNOFFS (countersign.review.required-signoffs) must be at least 1, got "
                    + c.review().requiredSignoffs());
        }
        try {
            int level = AccessLevels.parse(c.review().minAccessLevel());
            if (level < AccessLevels.GUEST || level > AccessLevels.OWNER) {
                p.add("COUNTERSIGN_REVIEW_MIN_ACCESS_LEVEL (countersign.review.min-access-level) must be between 10 and 50, got " + level);
            }
        } catch (IllegalArgumentException e) {
            p.add("COUNTERSIGN_REVIEW_MIN_ACCESS_LEVEL (countersign.review.min-access-level): " + e.getMessage());
        }
        try {
            Duration d = parseInterval(c.reconcile().interval());
            if (d.isNegative() || d.isZero()) {
                p.add("COUNTERSIGN_RECONCILE_INTERVAL (countersign.reconcile.interval) must be positive, got '" + c.reconcile().interval() + "'");
            }
        } catch (RuntimeException e) {
            p.add("COUNTERSIGN_RECONCILE_INTERVAL (countersign.reconcile.interval) is not a duration such as 30s, 5m or 1h: '"
                    + c.reconcile().interval() + "'");
        }
        Duration callBudget = c.gitlab().connectTimeout().plus(c.gitlab().readTimeout()).multipliedBy(3);
        if (c.worker().lease().compareTo(callBudget) <= 0) {
            p.add("COUNTERSIGN_WORKER_LEASE (countersign.worker.lease) must exceed three GitLab calls (3 × (connect + read "
                    + "timeout) = " + callBudget.toSeconds() + " s), or another instance could repeat an action still in progress; got "
                    + c.worker().lease().toSeconds() + " s");
        }
        if (c.worker().coalesce().isNegative() || c.worker().coalesce().compareTo(Duration.ofMinutes(1)) > 0) {
            p.add("COUNTERSIGN_WORKER_COALESCE (countersign.worker.coalesce) must be between 0 and 1m (it delays every "
                    + "enforcement by that much), got " + c.worker().coalesce().toMillis() + " ms");
        }
        if (c.worker().maxAttempts() < 1) {
            p.add("COUNTERSIGN_WORKER_MAX_ATTEMPTS (countersign.worker.max-attempts) must be at least 1");
        }
        if (c.worker().blockedProbeInterval().toMillis() < 100) {
            p.add("COUNTERSIGN_WORKER_BLOCKED_PROBE_INTERVAL (countersign.worker.blocked-probe-interval) must be at least 100ms, got "
                    + c.worker().blockedProbeInterval().toMillis() + " ms");
        }
        if (c.worker().rateLimitBackoff().toMillis() < 1 || c.worker().rateLimitBackoffMax().compareTo(c.worker().rateLimitBackoff()) < 0) {
            p.add("COUNTERSIGN_WORKER_RATE_LIMIT_BACKOFF (countersign.worker.rate-limit-backoff) must be positive and at most "
                    + "COUNTERSIGN_WORKER_RATE_LIMIT_BACKOFF_MAX (countersign.worker.rate-limit-backoff-max)");
        }
        return p;
    }

    /** Parses the interval the way Quarkus' scheduler reads {@code every}: {@code 30s}, {@code 5m}, {@code PT1H}. */
    public static Duration parseInterval(String text) {
        String t = text.strip();
        if (!t.isEmpty() && Character.isDigit(t.charAt(0))) {
            if (t.endsWith("d") || t.endsWith("D")) {
                return Duration.parse("P" + t);
            }
            return Duration.parse("PT" + t);
        }
        return Duration.parse(t);
    }

    private static String missing(String env, String property, String what) {
        return env + " (" + property + ") is required: " + what;
    }

    private static boolean isHttpUrl(String s) {
        try {
            URI u = URI.create(s);
            return ("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme())) && u.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
