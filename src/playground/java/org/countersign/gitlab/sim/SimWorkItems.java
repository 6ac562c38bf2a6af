package org.countersign.gitlab.sim;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Work item types as GitLab knows them, and the rule that decides what kind of webhook an issue change sends.
 *
 * <p>Sources (gitlabhq/gitlabhq): {@code app/models/work_items/type.rb} (base types),
 * {@code lib/api/issues.rb} ({@code issue_type} accepts {@code unfiltered_base_types_for_issues}: no epics),
 * {@code lib/gitlab/data_builder/issuable.rb} ({@code object_kind}, {@code event_type}).
 */
final class SimWorkItems {

    /** Base type to {@code WorkItems::Type#name}. */
    private static final Map<String, String> NAMES = new LinkedHashMap<>();

    static {
        NAMES.put("issue", "Issue");
        NAMES.put("incident", "Incident");
        NAMES.put("test_case", "Test Case");
        NAMES.put("requirement", "Requirement");
        NAMES.put("task", "Task");
        NAMES.put("objective", "Objective");
        NAMES.put("key_result", "Key Result");
        NAMES.put("ticket", "Ticket");
    }

    /** The values {@code POST/PUT/GET .../issues?issue_type=} accepts for a project (epics are group-level). */
    static final Set<String> PROJECT_TYPES = NAMES.keySet();

    private SimWorkItems() {
    }

    static String typeName(String baseType) {
        String name = NAMES.get(baseType);
        if (name == null) {
            throw new IllegalArgumentException("unknown work item type: " + baseType);
        }
        return name;
    }

    static String requireType(String baseType) {
        typeName(baseType);
        return baseType;
    }

    /**
     * {@code Gitlab::DataBuilder::Issuable#object_kind}: {@code issuable.class.name.underscore}, except that a
     * {@code WorkItem} of type Issue says {@code issue} (MR 180959, issue #517947). The Ruby class is the key:
     * the REST API and the legacy issue page load an {@code Issue} (object_kind {@code issue}, whatever the
     * type), the work item views and GraphQL a {@code WorkItem}. So an incident or a task changed in the work
     * item UI arrives as {@code work_item}; the same incident closed through {@code PUT /issues/:iid} arrives as
     * {@code issue} with {@code object_attributes.type: "Incident"}.
     */
    static String objectKind(SimIssue issue, boolean workItemClass) {
        return workItemClass && !"issue".equals(issue.issueType()) ? "work_item" : "issue";
    }

    /** {@code event_type}: {@code confidential_<object_kind>} for confidential issues (issue #535890: never the type). */
    static String eventType(SimIssue issue, boolean workItemClass) {
        String kind = objectKind(issue, workItemClass);
        return issue.confidential() ? "confidential_" + kind : kind;
    }

    /**
     * The issue as it was right after a Close/ReopenService ran inside an update: {@code before}'s labels,
     * assignees and lock, {@code after}'s state (used to split one PUT into GitLab's two hooks).
     */
    static SimIssue stateOnly(SimIssue before, SimIssue after) {
        return new SimIssue(before.id(), before.iid(), before.projectId(), before.title(), before.description(),
                before.authorId(), before.assigneeIds(), after.state(), before.labelDetails(), before.createdAt(),
                after.updatedAt(), after.updatedById(), after.closedAt(), after.closedById(), before.confidential(),
                before.userNotesCount(), before.issueType(), before.discussionLocked(), before.movedToId());
    }
}
