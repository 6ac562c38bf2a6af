package org.countersign.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.countersign.policy.AccessLevels;

/**
 * Checks the settings once at start-up and names every bad key by its environment variable, so an
 * operator sees at a glance what to fix. Pure: no Quarkus types beyond the mapping.
 */
public final class ConfigValidation {

    /** The governed work item types when COUNTERSIGN_GOVERNED_TYPES is not set. */
    public static final String DEFAULT_GOVERNED_TYPES = "issue,incident";

    /**
     * GitLab's built-in work item types, as {@link #typeKey type keys} (its {@code WorkItems::Type} base
     * types, the REST API's {@code issue_type}). Other names are accepted (GitLab adds types, and
     * custom types exist), with a warning at start-up.
     */
    public static final Set<String> KNOWN_TYPES = Set.of("issue", "incident", "task", "test_case", "requirement",
            "objective", "key_result", "epic", "ticket");

    private static final Pattern TYPE_NAME = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N} _-]{0,59}");

    private ConfigValidation() {
    }

    /**
     * A work item type name as a key: lower case, words joined by {@code _}. Webhooks name types as
     * GitLab shows them ({@code "Key Result"}), the REST API by base type ({@code key_result}); both give
     * {@code key_result}.
     */
    public static String typeKey(String name) {
        return name.strip().toLowerCase(Locale.ROOT).replaceAll("[\\s_-]+", "_");
    }

    /**
     * The governed types named by COUNTERSIGN_GOVERNED_TYPES (the default when unset), as type keys.
     *
     * @throws IllegalArgumentException saying what is wrong with the value
     */
    public static Set<String> governedTypes(Optional<String> value) {
        String text = value.orElse(DEFAULT_GOVERNED_TYPES);
        Set<String> keys = new LinkedHashSet<>();
        for (String part : text.split(",")) {
            String name = part.strip();
            if (name.isEmpty()) {
                continue;
            }
            if (!TYPE_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("'" + abbreviate(name) + "' is not a work item type name (letters, digits, "
                        + "spaces, '_' or '-', e.g. issue, incident, task, test case)");
            }
            keys.add(typeKey(name));
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(EMPTY_TYPES);
        }
        return Set.copyOf(keys);
    }

    private static final String EMPTY_TYPES = "names no work item type; list the types the rule governs (e.g. "
            + DEFAULT_GOVERNED_TYPES + "), or unset it for that default";

    /** The problems found, one sentence each; empty when the configuration is usable. */
    public static List<String> problems(CountersignConfig c) {
        return problems(c, Set.of());
    }

    /**
     * As {@link #problems(CountersignConfig)}; {@code setButEmpty} names the properties given an empty
     * value, which the mapping cannot tell from unset ones.
     */
    public static List<String> problems(CountersignConfig c, Set<String> setButEmpty) {
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
        c.publicUrl().filter(s -> !s.isBlank()).filter(s -> !isHttpUrl(s)).ifPresent(s ->
                p.add("COUNTERSIGN_PUBLIC_URL (countersign.public-url) is not an http(s) URL: '" + s + "'"));
        if (c.webhook().secret().filter(s -> !s.isBlank()).isEmpty()) {
            p.add(missing("COUNTERSIGN_WEBHOOK_SECRET", "countersign.webhook.secret", "the secret token set on the GitLab webhook"));
        }
        if (c.projects().map(l -> l.stream().noneMatch(s -> !s.isBlank())).orElse(true)) {
            p.add(missing("COUNTERSIGN_PROJECTS", "countersign.projects", "watched projects, comma-separated ids or full paths"));
        }
        if (setButEmpty.contains("countersign.governed-types")) {
            p.add("COUNTERSIGN_GOVERNED_TYPES (countersign.governed-types) " + EMPTY_TYPES);
        } else {
            try {
                governedTypes(c.governedTypes());
            } catch (IllegalArgumentException e) {
                p.add("COUNTERSIGN_GOVERNED_TYPES (countersign.governed-types) " + (e.getMessage().equals(EMPTY_TYPES)
                        ? "" : "is invalid: ") + e.getMessage());
            }
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

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
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
