package org.countersign.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * All of Countersign's settings ({@code countersign.*}, i.e. {@code COUNTERSIGN_*} environment
 * variables). Required values are {@code Optional} here so that {@link ConfigValidation} can refuse
 * to start with a message naming the environment variable, instead of a generic mapping error.
 */
@ConfigMapping(prefix = "countersign")
public interface CountersignConfig {

    Gitlab gitlab();

    Webhook webhook();

    /** COUNTERSIGN_PROJECTS: watched projects, numeric ids or full paths, comma-separated. */
    Optional<List<String>> projects();

    /**
     * COUNTERSIGN_GOVERNED_TYPES: the GitLab work item types the rule governs, comma-separated,
     * case-insensitive ({@code issue}, {@code incident}, {@code task}, {@code test case}…). Unset means
     * {@value ConfigValidation#DEFAULT_GOVERNED_TYPES}. A raw string rather than a list, so that
     * {@link ConfigValidation} names the variable when it is set but names no type.
     */
    @WithName("governed-types")
    Optional<String> governedTypes();

    /**
     * COUNTERSIGN_PUBLIC_URL: the address people and GitLab reach this service at, e.g.
     * {@code https://countersign.example.org}; links in notes and the webhook URL are built from it.
     */
    @WithName("public-url")
    Optional<String> publicUrl();

    Review review();

    Scope scope();

    Reconcile reconcile();

    Worker worker();

    Admin admin();

    interface Admin {
        /** COUNTERSIGN_ADMIN_TOKEN: bearer token for the /admin endpoints; unset = those endpoints are off. */
        Optional<String> token();
    }

    interface Gitlab {
        /** COUNTERSIGN_GITLAB_URL: base URL, e.g. https://gitlab.example.org */
        Optional<String> url();

        /** COUNTERSIGN_GITLAB_TOKEN: the bot user's token, scope {@code api}. */
        Optional<String> token();

        /** How long a project membership lookup is trusted. */
        @WithName("member-cache-ttl")
        @WithDefault("60s")
        Duration memberCacheTtl();

        @WithName("connect-timeout")
        @WithDefault("5s")
        Duration connectTimeout();

        @WithName("read-timeout")
        @WithDefault("20s")
        Duration readTimeout();
    }

    interface Webhook {
        /** COUNTERSIGN_WEBHOOK_SECRET: the secret token configured on the GitLab webhook. */
        Optional<String> secret();
    }

    interface Review {
        /** COUNTERSIGN_REVIEW_LABEL */
        @WithDefault("To validate")
        String label();

        /** COUNTERSIGN_REVIEW_REQUIRED_SIGNOFFS */
        @WithName("required-signoffs")
        @WithDefault("1")
        int requiredSignoffs();

        /** COUNTERSIGN_REVIEW_MIN_ACCESS_LEVEL: developer, maintainer, owner… or a number. */
        @WithName("min-access-level")
        @WithDefault("developer")
        String minAccessLevel();

        /** COUNTERSIGN_REVIEW_AUTHOR_IS_IMPLEMENTER */
        @WithName("author-is-implementer")
        @WithDefault("true")
        boolean authorIsImplementer();
    }

    interface Scope {
        /** COUNTERSIGN_SCOPE_LABEL: when set, only tickets carrying this label are governed. */
        Optional<String> label();
    }

    interface Reconcile {
        /** COUNTERSIGN_RECONCILE_INTERVAL, e.g. 3s, 5m. */
        @WithDefault("5m")
        String interval();

        /**
         * How far before the newest {@code updated_at} already handled a pass looks again, for changes
         * GitLab committed late (the cursor is GitLab's own clock, so no clock skew is involved).
         */
        @WithDefault("30s")
        Duration overlap();

        /** How many tickets a pass evaluates at the same time. */
        @WithDefault("4")
        int parallelism();
    }

    interface Worker {
        /** Attempts before a delivery or GitLab action is parked as dead. */
        @WithName("max-attempts")
        @WithDefault("8")
        int maxAttempts();

        /** How long a claimed item stays owned by a worker before another may take it over. */
        @WithDefault("2m")
        Duration lease();

        /** Threads working off webhook deliveries in each instance (GitLab-bound work: more than cores is fine). */
        @WithName("delivery-threads")
        @WithDefault("2")
        int deliveryThreads();

        /**
         * How long a delivery waits before it is worked off, so that the several webhooks GitLab sends
         * for one change (a close with a comment, a board move) are covered by one evaluation and its
         * GitLab reads. Adds at most this much to the time a close without review stays closed.
         */
        @WithDefault("200ms")
        Duration coalesce();

        /** Poll period when idle (new work in this instance wakes the workers at once). */
        @WithName("poll-interval")
        @WithDefault("1s")
        Duration pollInterval();

        /**
         * Work GitLab refused for a cause an operator fixes (a revoked token, a missing role) is BLOCKED:
         * this often one blocked item per cause is tried again, and when it gets through all are requeued.
         */
        @WithName("blocked-probe-interval")
        @WithDefault("5m")
        Duration blockedProbeInterval();

        /** First wait after a 429 that names no wait (GitLab's per-endpoint limits); doubles up to the max. */
        @WithName("rate-limit-backoff")
        @WithDefault("1m")
        Duration rateLimitBackoff();

        @WithName("rate-limit-backoff-max")
        @WithDefault("5m")
        Duration rateLimitBackoffMax();
    }
}
