package org.countersign.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * GitLab's documented webhook payloads ({@code src/test/resources/gitlab-fixtures/}, copied from
 * {@code ../shared/gitlab-fixtures}) rewritten to be about a chosen project and issue, so tests can
 * send real shapes without the service acting on tickets they did not create.
 */
public final class HookFixtures {

    /** A project Countersign does not watch. */
    public static final long UNWATCHED = 987654;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private HookFixtures() {
    }

    /** The payload {@code name} with every project id set to {@code projectId} and, unless null, the issue iid. */

    /**
     * GitLab's documented examples (gitlab-fixtures/, verbatim copies of ../shared/gitlab-fixtures), or
     * the ones derived from them for payloads the documentation has no example of (gitlab-fixtures-derived/).
     */
    static String fixturePath(String name) {
        return (HookFixtures.class.getResource("/gitlab-fixtures/" + name) != null ? "/gitlab-fixtures/" : "/gitlab-fixtures-derived/")
                + name;
    }
    public static ObjectNode about(String name, long projectId, Long iid) {
        try (InputStream in = HookFixtures.class.getResourceAsStream(fixturePath(name))) {
            ObjectNode json = (ObjectNode) MAPPER.readTree(in);
            if (json.get("project") instanceof ObjectNode p) {
                p.put("id", projectId);
            }
            for (String holder : new String[] {"object_attributes", "issue"}) {
                if (json.get(holder) instanceof ObjectNode o && o.has("project_id")) {
                    o.put("project_id", projectId);
                }
            }
            if (json.has("project_id")) {
                json.put("project_id", projectId);
            }
            if (iid != null) {
                ((ObjectNode) json.get(json.has("issue") ? "issue" : "object_attributes")).put("iid", iid);
            }
            return json;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As {@link #about}, as JSON text. */
    public static String json(String name, long projectId, Long iid) {
        try {
            return MAPPER.writeValueAsString(about(name, projectId, iid));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
