package org.countersign.gitlab.sim;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Immutable snapshot of an issue. {@code state} is {@code opened} or {@code closed};
 * {@code labelDetails} keeps label order as applied.
 *
 * <p>{@code issueType} is GitLab's lowercase base type ({@code issue}, {@code incident}, {@code task},
 * {@code test_case}, ...; REST {@code issue_type}), {@code discussionLocked} the REST/hook
 * {@code discussion_locked}, {@code movedToId} the global id of the issue this one was moved to (or null).
 */
public record SimIssue(long id, long iid, long projectId, String title, String description, long authorId,
        List<Long> assigneeIds, String state, List<SimLabel> labelDetails, Instant createdAt, Instant updatedAt,
        Long updatedById, Instant closedAt, Long closedById, boolean confidential, int userNotesCount,
        String issueType, boolean discussionLocked, Long movedToId) {

    public SimIssue {
        assigneeIds = List.copyOf(assigneeIds);
        labelDetails = List.copyOf(labelDetails);
        issueType = issueType == null ? "issue" : issueType;
    }

    /** The snapshot as it was before work item types, locking and moves existed: a plain, unlocked issue. */
    public SimIssue(long id, long iid, long projectId, String title, String description, long authorId,
            List<Long> assigneeIds, String state, List<SimLabel> labelDetails, Instant createdAt, Instant updatedAt,
            Long updatedById, Instant closedAt, Long closedById, boolean confidential, int userNotesCount) {
        this(id, iid, projectId, title, description, authorId, assigneeIds, state, labelDetails, createdAt,
                updatedAt, updatedById, closedAt, closedById, confidential, userNotesCount, "issue", false, null);
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

    /** REST {@code type}: {@code issue_type} upcased, e.g. {@code INCIDENT} (lib/api/entities/issue_basic.rb). */
    public String apiType() {
        return issueType.toUpperCase(Locale.ROOT);
    }

    /**
     * The work item type's name as in hooks' {@code object_attributes.type} ({@code work_item_type.name}, see
     * lib/gitlab/hook_data/issue_builder.rb): {@code Issue}, {@code Incident}, {@code Task}, {@code Test Case}...
     */
    public String workItemTypeName() {
        return SimWorkItems.typeName(issueType);
    }
}
