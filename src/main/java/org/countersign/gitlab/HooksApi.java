package org.countersign.gitlab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.countersign.workflow.GitLabPort.HookStatus;
import org.gitlab4j.api.AbstractApi;
import org.gitlab4j.api.GitLabApi;
import org.gitlab4j.api.GitLabApiException;

/**
 * {@code GET /projects/:id/hooks} read as JSON: GitLab4J 6.2.0's {@code ProjectHook} lacks
 * {@code alert_status} and {@code disabled_until}, which say whether GitLab disabled the hook after
 * failed deliveries.
 */
final class HooksApi extends AbstractApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    HooksApi(GitLabApi api) {
        super(api);
    }

    List<HookStatus> list(long projectId) throws GitLabApiException {
        Response response = get(Response.Status.OK, getPageQueryParams(1, 100), "projects", projectId, "hooks");
        List<HookStatus> result = new ArrayList<>();
        try {
            for (JsonNode h : JSON.readTree(response.readEntity(String.class))) {
                String until = h.path("disabled_until").isTextual() ? h.path("disabled_until").asText() : null;
                result.add(new HookStatus(h.path("id").asLong(), h.path("url").asText(""),
                        h.path("issues_events").asBoolean(false), h.path("note_events").asBoolean(false),
                        h.path("alert_status").isTextual() ? h.path("alert_status").asText() : "executable",
                        Optional.ofNullable(until).map(HooksApi::parseTime)));
            }
        } catch (IOException e) {
            throw new GitLabApiException(e);
        }
        return result;
    }

    private static Instant parseTime(String s) {
        try {
            return java.time.OffsetDateTime.parse(s).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            return Instant.parse(s);
        }
    }
}
