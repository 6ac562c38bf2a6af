package org.countersign.gitlab.sim;

import java.time.Instant;
import java.util.List;

/**
 * Immutable snapshot of an issue. {@code state} is {@code opened} or {@code closed};
 * {@code labelDetails} keeps label order as applied.
 */
public record SimIssue(long id, long iid, long projectId, String title, String description, long authorId,
        List<Long> assigneeIds, String state, List<SimLabel> labelDetails, Instant createdAt, Instant updatedAt,
        Long updatedById, Instant closedAt, Long closedById, boolean confidential, int userNotesCount) {

    public SimIssue {
        assigneeIds = List.copyOf(assigneeIds);
        labelDetails = List.copyOf(labelDetails);
    }

    /** Label names in the order they were applied. */
    public List<String> labels() {
        return labelDetails.stream().map(SimLabel::name).toList();
    }

    public boolean isClosed() {
        return "closed".equals(state);
    }

    /** GitLab's {@code state_id}: 1 opened, 2 closed. */
    public int stateId() {
        return isClosed() ? 2 : 1;
    }
}
