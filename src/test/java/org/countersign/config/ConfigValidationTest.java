package org.countersign.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigValidationTest {

    private static final Map<String, String> VALID = Map.of(
            "countersign.gitlab.url", "https://gitlab.example.org",
            "countersign.gitlab.token", "glpat-xyz",
            "countersign.webhook.secret", "secret",
            "countersign.projects", "infra/interventions, 42");

    private static List<String> problems(Map<String, String> values) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(CountersignConfig.class)
                .withConverter(Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(values, "test", 500))
                .build();
        return ConfigValidation.problems(config.getConfigMapping(CountersignConfig.class));
    }

    private static Map<String, String> with(String key, String value) {
        Map<String, String> m = new HashMap<>(VALID);
        if (value == null) {
            m.remove(key);
        } else {
            m.put(key, value);
        }
        return m;
    }

    @Test
    void aCompleteConfigurationIsAccepted() {
        assertEquals(List.of(), problems(VALID));
    }

    @Test
    void everyMissingRequiredValueIsNamedByItsEnvironmentVariable() {
        List<String> p = problems(Map.of());
        assertEquals(4, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("COUNTERSIGN_GITLAB_URL (countersign.gitlab.url) is required"), p.get(0));
        assertTrue(p.get(1).startsWith("COUNTERSIGN_GITLAB_TOKEN"), p.get(1));
        assertTrue(p.get(2).startsWith("COUNTERSIGN_WEBHOOK_SECRET"), p.get(2));
        assertTrue(p.get(3).startsWith("COUNTERSIGN_PROJECTS"), p.get(3));
    }

    @Test
    void invalidValuesAreNamed() {
        assertTrue(problems(with("countersign.gitlab.url", "gitlab.example.org")).get(0).startsWith("COUNTERSIGN_GITLAB_URL"));
        assertTrue(problems(with("countersign.reconcile.interval", "often")).get(0).startsWith("COUNTERSIGN_RECONCILE_INTERVAL"));
        assertTrue(problems(with("countersign.reconcile.interval", "0s")).get(0).startsWith("COUNTERSIGN_RECONCILE_INTERVAL"));
        assertTrue(problems(with("countersign.review.min-access-level", "boss")).get(0).startsWith("COUNTERSIGN_REVIEW_MIN_ACCESS_LEVEL"));
        assertTrue(problems(with("countersign.review.required-signoffs", "0")).get(0).startsWith("COUNTERSIGN_REVIEW_REQUIRED_SIGNOFFS"));
        assertTrue(problems(with("countersign.review.label", " ")).get(0).startsWith("COUNTERSIGN_REVIEW_LABEL"));
        assertTrue(problems(with("countersign.worker.coalesce", "2m")).get(0).startsWith("COUNTERSIGN_WORKER_COALESCE"));
        assertTrue(problems(with("countersign.public-url", "countersign.example.org")).get(0).startsWith("COUNTERSIGN_PUBLIC_URL"));
        assertEquals(List.of(), problems(with("countersign.public-url", "https://countersign.example.org")));
    }

    @Test
    void governedTypesDefaultToIssuesAndIncidentsAndAreReadCaseInsensitively() {
        assertEquals(java.util.Set.of("issue", "incident"), ConfigValidation.governedTypes(java.util.Optional.empty()));
        assertEquals(java.util.Set.of("issue", "incident", "test_case", "key_result"),
                ConfigValidation.governedTypes(java.util.Optional.of("Issue, INCIDENT ,test case,Key-Result,, issue")));
        assertEquals(List.of(), problems(with("countersign.governed-types", "task")));
        // a name GitLab does not have built in is accepted (custom or future types), with a start-up warning
        assertEquals(List.of(), problems(with("countersign.governed-types", "issue,change request")));
        assertEquals("key_result", ConfigValidation.typeKey(" Key Result "));
    }

    @Test
    void governedTypesThatNameNoTypeAreInvalid() {
        for (String value : new String[] {" ", ",", " , ,"}) {
            List<String> p = problems(with("countersign.governed-types", value));
            assertEquals(1, p.size(), value + ": " + p);
            assertTrue(p.get(0).startsWith("COUNTERSIGN_GOVERNED_TYPES (countersign.governed-types) names no work item type"), p.get(0));
        }
        // an empty value reads as unset in the mapping; Settings passes it on as set but empty
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(CountersignConfig.class)
                .withConverter(Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(with("countersign.governed-types", ""), "test", 500)).build();
        List<String> p = ConfigValidation.problems(config.getConfigMapping(CountersignConfig.class),
                java.util.Set.of("countersign.governed-types"));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("COUNTERSIGN_GOVERNED_TYPES"), p.get(0));
        List<String> odd = problems(with("countersign.governed-types", "issue;task"));
        assertTrue(odd.get(0).startsWith("COUNTERSIGN_GOVERNED_TYPES (countersign.governed-types) is invalid: 'issue;task' is not"),
                odd.toString());
    }

    @Test
    void intervalsReadLikeTheScheduler() {
        assertEquals(Duration.ofSeconds(3), ConfigValidation.parseInterval("3s"));
        assertEquals(Duration.ofMinutes(5), ConfigValidation.parseInterval("5m"));
        assertEquals(Duration.ofHours(1), ConfigValidation.parseInterval("PT1H"));
    }
}
