package org.countersign.policy;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The rule's knobs, fixed for one decision.
 *
 * @param reviewLabel          label of the review column ("To validate")
 * @param requiredSignoffs     distinct eligible reviewers needed before a close is valid (≥ 1)
 * @param minAccessLevel       lowest project access level that may sign off (30 = Developer)
 * @param authorIsImplementer  whether the ticket's author counts as an implementer
 * @param scopeLabel           when present, only tickets that carry (or carried) this label are governed
 * @param governedTypes        work item types the rule applies to, lower case ({@code issue}, {@code incident})
 * @param botUserId            Countersign's own GitLab user: its reopen and label restorations are not
 *                             a person's moves, and it cannot sign off; a close made with it is judged
 * @param closeWindow          label removals by the closer this close to a close may be the same update
 *                             (dragging a card to the board's Closed list removes its list label with it)
 * @param emergencyEnabled     whether {@code /emergency <reason>} lets a close without review stand
 * @param emergencyLabel       the label an emergency close carries until its retroactive review
 * @param emergencyDeadline    how long after the close the retroactive review is due
 */
public record PolicySettings(
        String reviewLabel,
        int requiredSignoffs,
        int minAccessLevel,
        boolean authorIsImplementer,
        Optional<String> scopeLabel,
        Set<String> governedTypes,
        long botUserId,
        Duration closeWindow,
        boolean emergencyEnabled,
        String emergencyLabel,
        Duration emergencyDeadline) {

    public static final String DEFAULT_EMERGENCY_LABEL = "Review owed";
    public static final Duration DEFAULT_EMERGENCY_DEADLINE = Duration.ofHours(72);

    public static final Duration DEFAULT_CLOSE_WINDOW = Duration.ofSeconds(2);
    public static final Set<String> DEFAULT_GOVERNED_TYPES = Set.of("issue", "incident");

    /** The rule without emergency settings given: the emergency path on, with its defaults. */
    public PolicySettings(String reviewLabel, int requiredSignoffs, int minAccessLevel, boolean authorIsImplementer,
                          Optional<String> scopeLabel, Set<String> governedTypes, long botUserId, Duration closeWindow) {
        this(reviewLabel, requiredSignoffs, minAccessLevel, authorIsImplementer, scopeLabel, governedTypes, botUserId,
                closeWindow, true, DEFAULT_EMERGENCY_LABEL, DEFAULT_EMERGENCY_DEADLINE);
    }

    /** The same rule with other emergency settings. */
    public PolicySettings withEmergency(boolean enabled, String label, Duration deadline) {
        return new PolicySettings(reviewLabel, requiredSignoffs, minAccessLevel, authorIsImplementer, scopeLabel,
                governedTypes, botUserId, closeWindow, enabled, label, deadline);
    }

    public PolicySettings {
        Objects.requireNonNull(reviewLabel, "reviewLabel");
        Objects.requireNonNull(emergencyLabel, "emergencyLabel");
        Objects.requireNonNull(emergencyDeadline, "emergencyDeadline");
        if (emergencyLabel.isBlank()) {
            throw new IllegalArgumentException("emergencyLabel must not be blank");
        }
        if (emergencyDeadline.isNegative() || emergencyDeadline.isZero()) {
            throw new IllegalArgumentException("emergencyDeadline must be positive");
        }
        Objects.requireNonNull(scopeLabel, "scopeLabel");
        Objects.requireNonNull(closeWindow, "closeWindow");
        governedTypes = governedTypes.stream().map(t -> t.strip().toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        if (reviewLabel.isBlank()) {
            throw new IllegalArgumentException("reviewLabel must not be blank");
        }
        if (requiredSignoffs < 1) {
            throw new IllegalArgumentException("requiredSignoffs must be at least 1");
        }
        if (governedTypes.isEmpty()) {
            throw new IllegalArgumentException("governedTypes must name at least one type");
        }
    }
}
