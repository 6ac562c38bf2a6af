package org.countersign.gitlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Push Hook reading, on payloads shaped as GitLab documents push events
 * (https://docs.gitlab.com/user/project/integrations/webhook_events/#push-events).
 */
class PushHookTest {

    private static byte[] push(String ref, String commits, int total) {
        return ("{\"object_kind\":\"push\",\"event_name\":\"push\",\"after\":\"da1560886d4f094c3e6c9ef40349f7d38b5d27d7\","
                + "\"ref\":\"" + ref + "\",\"project_id\":15,\"project\":{\"id\":15,\"default_branch\":\"main\"},"
                + "\"commits\":[" + commits + "],\"total_commits_count\":" + total + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static String commit(String added, String modified, String removed) {
        return "{\"id\":\"b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327\",\"added\":[" + added + "],\"modified\":[" + modified
                + "],\"removed\":[" + removed + "]}";
    }

    @Test
    void aPushToTheDefaultBranchTouchingTheFileCounts() {
        for (String c : new String[] {commit("\".countersign.yml\"", "", ""), commit("", "\".countersign.yml\"", ""),
                commit("", "", "\".countersign.yml\"")}) {
            PushHook.Push p = PushHook.read(push("refs/heads/main", c, 1), ".countersign.yml").orElseThrow();
            assertEquals(15, p.projectId());
            assertTrue(p.touchesFileOnDefaultBranch(), c);
        }
    }

    @Test
    void otherFilesOtherBranchesDoNotCountButLeftOutCommitsDo() {
        assertFalse(PushHook.read(push("refs/heads/main", commit("\"README.md\"", "", ""), 1), ".countersign.yml")
                .orElseThrow().touchesFileOnDefaultBranch());
        assertFalse(PushHook.read(push("refs/heads/feature", commit("\".countersign.yml\"", "", ""), 1), ".countersign.yml")
                .orElseThrow().touchesFileOnDefaultBranch());
        // GitLab lists at most 20 commits: with more, the file may have changed in one left out
        assertTrue(PushHook.read(push("refs/heads/main", commit("\"README.md\"", "", ""), 25), ".countersign.yml")
                .orElseThrow().touchesFileOnDefaultBranch());
        assertTrue(PushHook.read("nope".getBytes(StandardCharsets.UTF_8), ".countersign.yml").isEmpty());
        assertTrue(PushHook.read("{}".getBytes(StandardCharsets.UTF_8), ".countersign.yml").isEmpty());
    }
}
