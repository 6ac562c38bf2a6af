package org.countersign.policy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the policy needs to know about one ticket, read from GitLab's API (never from webhook
 * payloads). Lists may come in any order; the policy sorts them.
 *
 * @param accessLevels project access level (10 guest … 50 owner) of every user who wrote a
 *                     {@code /signoff}; a user absent from the map is not a member of the project
 * @param closedAt     when the ticket is closed, the time GitLab reports (used only when the state
 *                     events do not contain the close, e.g. tickets older than resource state events)
 * @param closedBy     likewise, who closed it, if GitLab says
 */
public record TicketHistory(
        long projectId,
        long iid,
        String title,
        UserRef author,
        List<UserRef> assignees,
        boolean closed,
        Set<String> labels,
        Instant createdAt,
        Optional<Instant> closedAt,
        Optional<UserRef> closedBy,
        List<LabelChange> labelChanges,
        List<StateChange> stateChanges,
        List<Comment> comments,
        Map<Long, Integer> accessLevels) {

    public TicketHistory {
        Objects.requireNonNull(author, "author");
        Objects.requireNonNull(createdAt, "createdAt");
        title = title == null ? "" : title;
        assignees = List.copyOf(assignees);
        labels = Set.copyOf(labels);
        closedAt = closedAt == null ? Optional.empty() : closedAt;
        closedBy = closedBy == null ? Optional.empty() : closedBy;
        labelChanges = List.copyOf(labelChanges);
        stateChanges = List.copyOf(stateChanges);
        comments = List.copyOf(comments);
        accessLevels = Map.copyOf(accessLevels);
    }
}
