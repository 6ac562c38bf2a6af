package org.countersign.gitlab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Form;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import org.countersign.config.Settings;
import org.countersign.setup.SetupGitLab;
import org.countersign.workflow.GitLabFailure;
import org.gitlab4j.api.AbstractApi;
import org.gitlab4j.api.GitLabApi;
import org.gitlab4j.api.GitLabApiException;
import org.gitlab4j.api.models.Member;


/**
 * {@link SetupGitLab} over GitLab's REST API: {@code /user}, {@code /projects/:id}, {@code members/all},
 * labels, boards and their lists, project hooks. Labels, boards and hooks are read as JSON (every page,
 * following {@code X-Next-Page}) because GitLab4J 6.2.0's {@code ProjectHook} lacks {@code alert_status};
 * hooks are written with explicit form fields, so that every trigger is set and the token always sent.
 * Used rarely (a set-up run), so it has its own client rather than sharing the service's.
 */
@ApplicationScoped
public class GitLab4JSetupGateway implements SetupGitLab {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final GitLabApi api;
    private final Raw raw;

    public GitLab4JSetupGateway(Settings settings) {
        this.api = new GitLabApi(settings.gitlabUrl(), settings.gitlabToken())
                .withRequestTimeout((int) settings.connectTimeout().toMillis(), (int) settings.readTimeout().toMillis());
        this.raw = new Raw(api);
    }

    @PreDestroy
    void close() {
        api.close();
    }

    @Override
    public User currentUser() {
        org.gitlab4j.api.models.User u = call("GET user", () -> api.getUserApi().getCurrentUser());
        return new User(u.getId(), u.getUsername());
    }

    @Override
    public SetupGitLab.Project project(String idOrPath) {
        Object ref = idOrPath.chars().allMatch(Character::isDigit) ? Long.valueOf(idOrPath) : idOrPath;
        org.gitlab4j.api.models.Project p = call("GET project", () -> api.getProjectApi().getProject(ref));
        return new SetupGitLab.Project(p.getId(), p.getPathWithNamespace());
    }

    @Override
    public OptionalInt accessLevel(long projectId, long userId) {
        try {
            Member m = call("GET member", () -> api.getProjectApi().getMember(projectId, userId, true));
            return m.getAccessLevel() == null ? OptionalInt.empty() : OptionalInt.of(m.getAccessLevel().value);
        } catch (GitLabFailure e) {
            if (e.status() == 404) {
                return OptionalInt.empty();
            }
            throw e;
        }
    }

    @Override
    public List<Label> labels(long projectId) {
        return call("GET labels", () -> raw.list(l -> new Label(l.path("id").asLong(), l.path("name").asText()),
                "projects", projectId, "labels"));
    }

    @Override
    public Label createLabel(long projectId, String name, String color, String description) {
        Form form = new Form().param("name", name).param("color", color).param("description", description);
        JsonNode l = call("POST label", () -> raw.post(form, "projects", projectId, "labels"));
        return new Label(l.path("id").asLong(), l.path("name").asText());
    }

    @Override
    public List<Board> boards(long projectId) {
        return call("GET boards", () -> raw.list(GitLab4JSetupGateway::board, "projects", projectId, "boards"));
    }

    @Override
    public Board createBoard(long projectId, String name) {
        return board(call("POST board", () -> raw.post(new Form().param("name", name), "projects", projectId, "boards")));
    }

    @Override
    public void createBoardList(long projectId, long boardId, long labelId) {
        call("POST board list", () -> raw.post(new Form().param("label_id", String.valueOf(labelId)),
                "projects", projectId, "boards", boardId, "lists"));
    }

    @Override
    public List<Hook> hooks(long projectId) {
        return call("GET hooks", () -> raw.list(h -> new Hook(h.path("id").asLong(), h.path("url").asText(""),
                h.path("push_events").asBoolean(false), h.path("issues_events").asBoolean(false),
                h.path("confidential_issues_events").asBoolean(false), h.path("note_events").asBoolean(false),
                h.path("confidential_note_events").asBoolean(false), h.path("enable_ssl_verification").asBoolean(true),
                h.path("alert_status").isTextual() ? h.path("alert_status").asText() : "executable"),
                "projects", projectId, "hooks"));
    }

    @Override
    public void createHook(long projectId, HookSpec spec) {
        call("POST hook", () -> raw.post(hookForm(spec), "projects", projectId, "hooks"));
    }

    @Override
    public void updateHook(long projectId, long hookId, HookSpec spec) {
        call("PUT hook", () -> raw.put(hookForm(spec), "projects", projectId, "hooks", hookId));
    }

    /** Every trigger Countersign needs on, SSL verification on, and the secret (GitLab never shows it back). */
    private static Form hookForm(HookSpec spec) {
        return new Form().param("url", spec.url()).param("token", spec.secretToken())
                .param("push_events", "true").param("issues_events", "true")
                .param("confidential_issues_events", "true").param("note_events", "true")
                .param("confidential_note_events", "true").param("enable_ssl_verification", "true");
    }

    private static Board board(JsonNode b) {
        List<String> labels = new ArrayList<>();
        for (JsonNode list : b.path("lists")) {
            if (list.path("label").isObject()) {
                labels.add(list.path("label").path("name").asText());
            }
        }
        return new Board(b.path("id").asLong(), b.path("name").asText(""), labels);
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws GitLabApiException;
    }

    private static <T> T call(String what, Call<T> call) {
        try {
            return call.run();
        } catch (GitLabApiException e) {
            throw new GitLabFailure(what + ": " + e.getMessage(), e.getHttpStatus(), Optional.empty(), what, e.getMessage(), e);
        } catch (RuntimeException e) {
            if (e.getCause() instanceof GitLabApiException g) {
                throw new GitLabFailure(what + ": " + g.getMessage(), g.getHttpStatus(), Optional.empty(), what, g.getMessage(), g);
            }
            throw new GitLabFailure(what + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), 0, Optional.empty(),
                    what, null, e);
        }
    }

    /** JSON-level access to the endpoints GitLab4J's models do not cover well enough. */
    private static final class Raw extends AbstractApi {

        Raw(GitLabApi api) {
            super(api);
        }

        <T> List<T> list(Function<JsonNode, T> map, Object... path) throws GitLabApiException {
            List<T> out = new ArrayList<>();
            int page = 1;
            while (true) {
                Response r = get(Response.Status.OK, getPageQueryParams(page, 100), path);
                for (JsonNode n : read(r)) {
                    out.add(map.apply(n));
                }
                String next = r.getHeaderString("X-Next-Page");
                if (next == null || next.isBlank()) {
                    return out;
                }
                page = Integer.parseInt(next.strip());
            }
        }

        JsonNode post(Form form, Object... path) throws GitLabApiException {
            return read(post(Response.Status.CREATED, form, path));
        }

        JsonNode put(Form form, Object... path) throws GitLabApiException {
            MultivaluedMap<String, String> params = new MultivaluedHashMap<>(form.asMap());
            return read(put(Response.Status.OK, params, path));
        }

        private static JsonNode read(Response r) throws GitLabApiException {
            try {
                return JSON.readTree(r.readEntity(String.class));
            } catch (IOException e) {
                throw new GitLabApiException(e);
            }
        }
    }
}
