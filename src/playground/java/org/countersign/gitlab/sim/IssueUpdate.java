package org.countersign.gitlab.sim;

import java.util.List;

/**
 * One atomic issue update, as GitLab applies a single {@code PUT /issues/:iid} or a single UI action.
 * Null/empty fields mean "unchanged". {@code replaceLabels} (the {@code labels} parameter) is applied
 * first, then {@code removeLabels}, then {@code addLabels}. {@code removeBoardListLabels} removes every
 * label that backs a list of any board of the project (GitLab's "drag to Closed list").
 * {@code discussionLocked} (null = unchanged) is applied after the state event, as GitLab's
 * {@code IssuableBaseService#update} runs {@code change_state} before assigning the other attributes.
 */
record IssueUpdate(List<String> addLabels, List<String> removeLabels, List<String> replaceLabels, String stateEvent,
        List<Long> assigneeIds, boolean removeBoardListLabels, Boolean discussionLocked) {

    IssueUpdate {
        addLabels = addLabels == null ? List.of() : List.copyOf(addLabels);
        removeLabels = removeLabels == null ? List.of() : List.copyOf(removeLabels);
        replaceLabels = replaceLabels == null ? null : List.copyOf(replaceLabels);
        assigneeIds = assigneeIds == null ? null : List.copyOf(assigneeIds);
    }

    IssueUpdate(List<String> addLabels, List<String> removeLabels, List<String> replaceLabels, String stateEvent,
            List<Long> assigneeIds, boolean removeBoardListLabels) {
        this(addLabels, removeLabels, replaceLabels, stateEvent, assigneeIds, removeBoardListLabels, null);
    }

    static IssueUpdate labels(List<String> add, List<String> remove) {
        return new IssueUpdate(add, remove, null, null, null, false);
    }

    static IssueUpdate state(String stateEvent) {
        return new IssueUpdate(null, null, null, stateEvent, null, false);
    }

    static IssueUpdate dragToClosed() {
        return new IssueUpdate(null, null, null, "close", null, true);
    }

    static IssueUpdate lock(boolean locked) {
        return new IssueUpdate(null, null, null, null, null, false, locked);
    }
}
