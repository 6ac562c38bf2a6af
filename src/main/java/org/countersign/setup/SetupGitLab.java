package org.countersign.setup;

import java.util.List;
import java.util.OptionalInt;

/**
 * What the set-up needs from GitLab: reading and creating labels, boards and their lists, project
 * webhooks, and the bot's role. Implemented by the GitLab adapter; every method may throw
 * {@link org.countersign.workflow.GitLabFailure} (its status says 403 for a missing role).
 */
public interface SetupGitLab {

    record User(long id, String username) {
    }

    record Project(long id, String path) {
    }

    record Label(long id, String name) {
    }

    /** A board and the names of the labels its lists are bound to. */
    record Board(long id, String name, List<String> listLabels) {
    }

    /** A project webhook as GitLab shows it (its secret token is never shown). */
    record Hook(long id, String url, boolean pushEvents, boolean issuesEvents, boolean confidentialIssuesEvents,
                boolean noteEvents, boolean confidentialNoteEvents, boolean sslVerification, String alertStatus) {
    }

    /** What a webhook must be: its URL, secret and triggers (all of them on), SSL verification on. */
    record HookSpec(String url, String secretToken) {
    }

    User currentUser();

    Project project(String idOrPath);

    /** The user's effective access level in the project (inherited memberships included), empty if none. */
    OptionalInt accessLevel(long projectId, long userId);

    List<Label> labels(long projectId);

    Label createLabel(long projectId, String name, String color, String description);

    List<Board> boards(long projectId);

    Board createBoard(long projectId, String name);

    void createBoardList(long projectId, long boardId, long labelId);

    List<Hook> hooks(long projectId);

    void createHook(long projectId, HookSpec spec);

    void updateHook(long projectId, long hookId, HookSpec spec);
}
