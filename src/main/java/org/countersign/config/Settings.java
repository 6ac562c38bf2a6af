package org.countersign.config;

import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.countersign.policy.AccessLevels;
import org.countersign.policy.PolicySettings;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * The validated configuration. Built eagerly at start-up, before anything touches the database (see
 * {@code store/SchemaMigration}): a missing or invalid value stops the service with one message listing
 * every offending variable, and no stack trace.
 */
@Startup
@ApplicationScoped
public class Settings {

    private static final Logger LOG = Logger.getLogger(Settings.class);

    private final CountersignConfig config;
    private final List<String> projects;
    private final Set<String> governedTypes;

    public Settings(CountersignConfig config) {
        List<String> problems = ConfigValidation.problems(config, setButEmpty("countersign.governed-types"));
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(problems);
        }
        this.config = config;
        this.projects = config.projects().orElseThrow().stream().map(String::strip).filter(s -> !s.isEmpty()).distinct().toList();
        this.governedTypes = ConfigValidation.governedTypes(config.governedTypes());
        Set<String> unknown = new TreeSet<>(governedTypes);
        unknown.removeAll(ConfigValidation.KNOWN_TYPES);
        if (!unknown.isEmpty()) {
            LOG.warnf("COUNTERSIGN_GOVERNED_TYPES names %s, not among GitLab's built-in work item types %s: "
                    + "governed only if GitLab sends that type name (a custom type, or a typo?)", unknown,
                    new TreeSet<>(ConfigValidation.KNOWN_TYPES));
        }
    }

    /** The properties among {@code names} that are set to an empty value (the mapping reads those as unset). */
    private static Set<String> setButEmpty(String... names) {
        Set<String> empty = new TreeSet<>();
        for (String name : names) {
            org.eclipse.microprofile.config.ConfigValue v = ConfigProvider.getConfig().getConfigValue(name);
            if (v != null && v.getRawValue() != null && v.getRawValue().isBlank()) {
                empty.add(name);
            }
        }
        return empty;
    }

    /**
     * The work item types the rule governs (COUNTERSIGN_GOVERNED_TYPES), as lower-case type keys:
     * GitLab's base type names such as {@code issue}, {@code incident}, {@code test_case} — what the REST
     * API gives as {@code issue_type}. Compare names from elsewhere with {@link #governs(String)}.
     */
    public Set<String> governedTypes() {
        return governedTypes;
    }

    /** Whether the work item type named {@code typeName} ({@code "Incident"}, {@code "test_case"}…) is governed. */
    public boolean governs(String typeName) {
        return typeName != null && governedTypes.contains(ConfigValidation.typeKey(typeName));
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
                config.scope().label().map(String::strip).filter(s -> !s.isEmpty()), governedTypes,
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

    /**
     * Raised when the configuration cannot work; the message lists every problem. A Quarkus
     * {@link ConfigurationException} without a cause: Quarkus then prints the message alone, with no
     * stack trace, and exits with status 1.
     */
    public static final class InvalidConfigurationException extends ConfigurationException {
        public InvalidConfigurationException(List<String> problems) {
            super("Countersign cannot start, fix its configuration:\n  - " + String.join("\n  - ", problems));
        }
    }
}
