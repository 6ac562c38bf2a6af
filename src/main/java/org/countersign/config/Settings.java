package org.countersign.config;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.countersign.policy.AccessLevels;
import org.countersign.policy.PolicySettings;

/**
 * The validated configuration. Built eagerly at start-up: a missing or invalid required value stops
 * the service with one message listing every offending key.
 */
@Startup
@ApplicationScoped
public class Settings {

    private final CountersignConfig config;
    private final List<String> projects;

    public Settings(CountersignConfig config) {
        List<String> problems = ConfigValidation.problems(config);
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(problems);
        }
        this.config = config;
        this.projects = config.projects().orElseThrow().stream().map(String::strip).filter(s -> !s.isEmpty()).distinct().toList();
    }

    public String gitlabUrl() {
        return config.gitlab().url().orElseThrow().replaceAll("/+$", "");
    }

    public String gitlabToken() {
        return config.gitlab().token().orElseThrow();
    }

    public String webhookSecret() {
        return config.webhook().secret().orElseThrow();
    }

    public List<String> projects() {
        return projects;
    }

    public Duration memberCacheTtl() {
        return config.gitlab().memberCacheTtl();
    }

    public Duration connectTimeout() {
        return config.gitlab().connectTimeout();
    }

    public Duration readTimeout() {
        return config.gitlab().readTimeout();
    }

    public Duration reconcileInterval() {
        return ConfigValidation.parseInterval(config.reconcile().interval());
    }

    public int reconcileParallelism() {
        return Math.max(1, config.reconcile().parallelism());
    }

    public Duration reconcileOverlap() {
        return config.reconcile().overlap();
    }

    public CountersignConfig.Worker worker() {
        return config.worker();
    }

    /** The rule's settings, given Countersign's own GitLab user id. */
    public PolicySettings policy(long botUserId) {
        return new PolicySettings(config.review().label().strip(), config.review().requiredSignoffs(),
                AccessLevels.parse(config.review().minAccessLevel()), config.review().authorIsImplementer(),
                config.scope().label().map(String::strip).filter(s -> !s.isEmpty()), PolicySettings.DEFAULT_GOVERNED_TYPES,
                botUserId, PolicySettings.DEFAULT_CLOSE_WINDOW);
    }

    public Optional<String> adminToken() {
        return config.admin().token().filter(t -> !t.isBlank());
    }

    public String reviewLabel() {
        return config.review().label().strip();
    }

    public Optional<String> scopeLabel() {
        return config.scope().label().map(String::strip).filter(s -> !s.isEmpty());
    }

    /** Raised when the configuration cannot work; the message lists every problem. */
    public static final class InvalidConfigurationException extends RuntimeException {
        public InvalidConfigurationException(List<String> problems) {
            super("Countersign cannot start, fix its configuration:\n  - " + String.join("\n  - ", problems));
        }
    }
}
