package org.countersign.policy;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the policy needs to know about one ticket, read from GitLab's API (never from webhook
 * payloads). Lists may come in any order; the policy sorts them.
 *
 * @param type      the work item type in lower case ({@code issue}, {@code incident}, {@code task} …)
 * @param movedToId when GitLab moved the issue to another project: the new issue's global id
 * @param signers   what GitLab says about everyone who wrote a {@code /signoff}, by user id; a signer
 *                  absent from the map is judged a non-member
 * @param closedAt  when the ticket is closed, the time GitLab reports (used only when the state
 *                  events do not contain the close, e.g. tickets older than resource state events)
 * @param closedBy  likewise, who closed it, if GitLab says
 */
public record TicketHistory(
        long projectId,
        long iid,
        String title,
        String type,
        UserRef author,
        List<UserRef> assignees,
        boolean closed,
        Optional<Long> movedToId,
        Set<String> labels,
        Instant createdAt,
        Optional<Instant> closedAt,
        Optional<UserRef> closedBy,
        List<LabelChange> labelChanges,
        List<StateChange> stateChanges,
        List<Comment> comments,
        Map<Long, SignerFacts> signers) {

    public static final String DEFAULT_TYPE = "issue";

    public TicketHistory {
        Objects.requireNonNull(author, "author");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(movedToId, "movedToId");
        Objects.requireNonNull(closedAt, "closedAt");
        Objects.requireNonNull(closedBy, "closedBy");
        title = title == null ? "" : title;
        type = type == null || type.isBlank() ? DEFAULT_TYPE : type.strip().toLowerCase(Locale.ROOT);
        assignees = List.copyOf(assignees);
        labels = Set.copyOf(labels);
        labelChanges = List.copyOf(labelChanges);
        stateChanges = List.copyOf(stateChanges);
        comments = List.copyOf(comments);
        signers = Map.copyOf(signers);
    }
}
