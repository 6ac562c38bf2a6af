package org.countersign.policy;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The rule's knobs, fixed for one decision.
 *
 * @param reviewLabel          label of the review column ("To validate")
 * @param requiredSignoffs     distinct eligible reviewers needed before a close is valid (≥ 1)
 * @param minAccessLevel       lowest project access level that may sign off (30 = Developer)
 * @param authorIsImplementer  whether the ticket's author counts as an implementer
 * @param scopeLabel           when present, only tickets that carry (or carried) this label are governed
 * @param botUserId            Countersign's own GitLab user: its actions never trigger enforcement
 * @param closeWindow          label removals by the closer this close to a close are part of that close
 *                             (dragging a card to the board's Closed list removes its list label in the
 *                             same update)
 */
public record PolicySettings(
        String reviewLabel,
        int requiredSignoffs,
        int minAccessLevel,
        boolean authorIsImplementer,
        Optional<String> scopeLabel,
        long botUserId,
        Duration closeWindow) {

    public static final Duration DEFAULT_CLOSE_WINDOW = Duration.ofSeconds(2);

    public PolicySettings {
        Objects.requireNonNull(reviewLabel, "reviewLabel");
        scopeLabel = scopeLabel == null ? Optional.empty() : scopeLabel;
        closeWindow = closeWindow == null ? DEFAULT_CLOSE_WINDOW : closeWindow;
        if (reviewLabel.isBlank()) {
            throw new IllegalArgumentException("reviewLabel must not be blank");
        }
        if (requiredSignoffs < 1) {
            throw new IllegalArgumentException("requiredSignoffs must be at least 1");
        }
    }
}
