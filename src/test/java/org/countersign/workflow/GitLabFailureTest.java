package org.countersign.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.countersign.workflow.GitLabFailure.Kind;
import org.junit.jupiter.api.Test;

class GitLabFailureTest {

    private static GitLabFailure failure(int status, String operation, String said) {
        return new GitLabFailure(operation + " failed: HTTP " + status, status, Optional.empty(), operation, said, null);
    }

    @Test
    void statusesAreClassified() {
        int[][] table = {
                {0, 0}, {408, 0}, {500, 0}, {502, 0}, {503, 0}, {504, 0},
                {429, 1},
                {400, 2}, {401, 2}, {403, 2}, {404, 2}, {405, 2}, {409, 2}, {413, 2}, {422, 2},
        };
        for (int[] row : table) {
            assertEquals(Kind.values()[row[1]], GitLabFailure.kindOf(row[0]), "HTTP " + row[0]);
        }
    }

    @Test
    void onlyTheTokenAndTheRoleAreFixedOnGitLabsSideByAnOperator() {
        assertTrue(failure(401, "GET issue", null).fixableByOperator());
        assertTrue(failure(403, "POST note", null).fixableByOperator());
        assertFalse(failure(404, "GET issue", null).fixableByOperator());
        assertFalse(failure(422, "POST note", null).fixableByOperator());
        assertFalse(failure(500, "POST note", null).fixableByOperator());
    }

    @Test
    void reasonsNameTheFix() {
        assertEquals("GitLab rejected the bot's token (revoked, expired, or its user blocked): set a new "
                + "COUNTERSIGN_GITLAB_TOKEN (scope api) and restart Countersign", failure(401, "GET issue", "401 Unauthorized")
                .reason("infra/interventions"));
        assertEquals("the bot account lacks the rights to reopen issues on infra/interventions: give it the Developer role "
                + "(GitLab answered 403 to PUT issue state_event=reopen)", failure(403, "PUT issue state_event=reopen", "403 Forbidden")
                .reason("infra/interventions"));
        assertTrue(failure(403, "POST note", null).reason("infra/interventions")
                .startsWith("the bot account lacks the rights to comment on issues on infra/interventions: give it the Developer role"));
        assertTrue(failure(403, "PUT issue add_labels", null).reason("infra/interventions")
                .startsWith("the bot account lacks the rights to edit issue labels on infra/interventions"));
        assertEquals("GitLab refused PUT issue add_labels on infra/interventions (422): Label names are invalid",
                failure(422, "PUT issue add_labels", "Label names are invalid").reason("infra/interventions"));
        assertTrue(failure(404, "GET issue", "404 Not found").reason("infra/interventions")
                .contains("the issue was deleted or moved, or the bot can no longer see the project"));
    }
}
