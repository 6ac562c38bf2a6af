package org.countersign.gitlab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;

/**
 * What Countersign needs from a Push Hook (GitLab's push event: {@code object_kind: push}, {@code ref},
 * {@code project.default_branch}, {@code commits[].added/modified/removed}, {@code total_commits_count};
 * https://docs.gitlab.com/user/project/integrations/webhook_events/#push-events): whether a push to the
 * default branch may have touched {@code path}. GitLab lists at most 20 commits per push; when some are
 * left out, the file may have changed in one of them, so the answer is yes.
 */
public final class PushHook {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A push event read: the project, the commit it leads to, and whether it touches the file on the default branch. */
    public record Push(long projectId, String after, boolean touchesFileOnDefaultBranch) {
    }

    private PushHook() {
    }

    /** Empty when the body is not a readable push event. */
    public static Optional<Push> read(byte[] body, String path) {
        JsonNode n;
        try {
            n = MAPPER.readTree(body);
        } catch (Exception e) {
            return Optional.empty();
        }
        if (n == null || !n.isObject() || !n.path("project_id").canConvertToLong() && !n.path("project").path("id").canConvertToLong()) {
            return Optional.empty();
        }
        long projectId = n.path("project_id").canConvertToLong() ? n.path("project_id").asLong() : n.path("project").path("id").asLong();
        String defaultBranch = n.path("project").path("default_branch").asText("");
        boolean onDefault = !defaultBranch.isEmpty() && n.path("ref").asText("").equals("refs/heads/" + defaultBranch);
        boolean touches = false;
        int listed = 0;
        for (JsonNode c : n.path("commits")) {
            listed++;
            for (String field : new String[] {"added", "modified", "removed"}) {
                for (JsonNode f : c.path(field)) {
                    touches |= path.equals(f.asText());
                }
            }
        }
        boolean someLeftOut = n.path("total_commits_count").asInt(listed) > listed;
        return Optional.of(new Push(projectId, n.path("after").asText(""), onDefault && (touches || someLeftOut)));
    }
}
