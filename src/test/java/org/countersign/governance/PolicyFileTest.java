package org.countersign.governance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.countersign.policy.AccessLevels;
import org.countersign.policy.PolicySettings;
import org.junit.jupiter.api.Test;

/** Reading .countersign.yml: every key, and every problem named with its line and key. */
class PolicyFileTest {

    private static final PolicySettings ENV = new PolicySettings("To validate", 1, AccessLevels.DEVELOPER, true,
            Optional.empty(), Set.of("issue", "incident"), 99, PolicySettings.DEFAULT_CLOSE_WINDOW);

    @Test
    void everyKeyIsReadAndApplied() {
        PolicyFile.Result r = PolicyFile.parse("""
                # our team's rule
                review-label: Review
                required-signoffs: 2
                min-access-level: maintainer
                author-is-implementer: false
                scope-label: governed
                governed-types: [issue, Test Case]
                emergency:
                  enabled: false
                  deadline: 2d
                """);
        assertTrue(r.valid(), r.problems().toString());
        PolicySettings s = PolicyFile.apply(ENV, r.overrides().orElseThrow());
        assertEquals("Review", s.reviewLabel());
        assertEquals(2, s.requiredSignoffs());
        assertEquals(AccessLevels.MAINTAINER, s.minAccessLevel());
        assertFalse(s.authorIsImplementer());
        assertEquals(Optional.of("governed"), s.scopeLabel());
        assertEquals(Set.of("issue", "test_case"), s.governedTypes());
        assertFalse(s.emergencyEnabled());
        assertEquals(Duration.ofDays(2), s.emergencyDeadline());
        assertEquals(99, s.botUserId());
    }

    @Test
    void anEmptyFileOrAbsentKeysKeepTheEnvironment() {
        assertEquals(ENV, PolicyFile.apply(ENV, PolicyFile.parse("").overrides().orElseThrow()));
        assertEquals(ENV, PolicyFile.apply(ENV, PolicyFile.parse("# nothing yet\n").overrides().orElseThrow()));
        PolicySettings s = PolicyFile.apply(ENV, PolicyFile.parse("required-signoffs: 3").overrides().orElseThrow());
        assertEquals(3, s.requiredSignoffs());
        assertEquals(ENV.reviewLabel(), s.reviewLabel());
    }

    @Test
    void problemsNameTheLineAndTheKey() {
        Map<String, String> cases = Map.of(
                "required-signoffs: 0", "line 1: required-signoffs must be at least 1, got 0",
                "required-signoffs: two", "line 1: required-signoffs must be a whole number (1, 2 …), got 'two'",
                "review-label: Review\nmin-access-level: boss", "line 2: min-access-level: unknown access level 'boss'",
                "author-is-implementer: maybe", "line 1: author-is-implementer must be true or false, got 'maybe'",
                "emergency:\n  deadline: soon", "line 2: emergency.deadline is not a duration such as 72h or 3d: 'soon'",
                "emergency:\n  enable: true", "line 2: unknown key 'emergency.enable'",
                "reviewlabel: X", "line 1: unknown key 'reviewlabel' (known: author-is-implementer, emergency,",
                "review-label: [a, b]", "line 1: review-label must be a single value, not a list",
                "review-label: a\nreview-label: b", "line 2: key 'review-label' appears twice",
                "- just\n- a list", "line 1: the file must be a mapping of keys");
        cases.forEach((yaml, expected) -> {
            PolicyFile.Result r = PolicyFile.parse(yaml);
            assertFalse(r.valid(), yaml);
            assertTrue(r.problems().stream().anyMatch(p -> p.contains(expected)), yaml + " → " + r.problems());
        });
        PolicyFile.Result broken = PolicyFile.parse("required-signoffs: 1\nreview-label: [unclosed\n");
        assertTrue(broken.problems().get(0).startsWith("line 3: not valid YAML") || broken.problems().get(0).startsWith("line 2"),
                broken.problems().toString());
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        PolicyFile.Result r = PolicyFile.parse("required-signoffs: 0\nbogus: 1\n");
        assertEquals(List.of("line 1: required-signoffs must be at least 1, got 0",
                "line 2: unknown key 'bogus' (known: author-is-implementer, emergency, governed-types, min-access-level,"
                        + " required-signoffs, review-label, scope-label)"), r.problems());
    }
}
