package org.countersign.gitlab;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gitlab4j.api.AbstractApi;
import org.gitlab4j.api.GitLabApi;
import org.gitlab4j.api.GitLabApiException;
import org.gitlab4j.api.GitLabApiForm;
import org.gitlab4j.api.models.Issue;
import org.gitlab4j.models.utils.JacksonJson;

/**
 * The issue calls GitLab4J 6.2.0 does not offer as Countersign needs them:
 * <ul>
 * <li>the issue with {@code moved_to_id} (absent from GitLab4J's model);</li>
 * <li>every page of a list, following {@code X-Next-Page} (else {@code Link: rel="next"}), never the
 *     {@code X-Total*} headers GitLab drops past 10,000 items, and never stopping at a short page
 *     (GitLab filters what the reader may not see after paginating);</li>
 * <li>one {@code PUT} with {@code state_event=reopen} and {@code add_labels}, or
 *     {@code discussion_locked}, answering the issue as GitLab returns it (a 200 does not mean the
 *     state changed: on a locked issue GitLab leaves it closed);</li>
 * <li>{@code GET /users/:id}, whose {@code bot} flag says whether a person answers for the account.</li>
 * </ul>
 */
final class IssueResourceApi extends AbstractApi {

    static final int PER_PAGE = 100;
    /** Guard against a GitLab (or proxy) that keeps announcing a next page: 100 pages of 100 = 10,000 more than any ticket. */
    private static final int MAX_PAGES = 1_000;
    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"next\"");

    private final JacksonJson json = new JacksonJson();

    IssueResourceApi(GitLabApi api) {
        super(api);
    }

    /** An issue as GitLab returns it, with the fields GitLab4J's model lacks. */
    record IssueSnapshot(Issue issue, Optional<Long> movedToId) {
    }

    /** The parts of a user Countersign needs to tell people from bots. */
    record UserInfo(long id, String username, boolean bot, String state) {
    }

    IssueSnapshot issue(long projectId, long iid) throws GitLabApiException {
        Response r = get(Response.Status.OK, null, "projects", projectId, "issues", iid);
        return snapshot(r.readEntity(String.class));
    }

    /** {@code PUT /projects/:id/issues/:iid} with {@code form}; the issue as GitLab answers it. */
    IssueSnapshot update(long projectId, long iid, Map<String, String> form) throws GitLabApiException {
        GitLabApiForm f = new GitLabApiForm();
        form.forEach(f::withParam);
        Response r = put(Response.Status.OK, f.asMap(), "projects", projectId, "issues", iid);
        return snapshot(r.readEntity(String.class));
    }

    UserInfo user(long userId) throws GitLabApiException {
        Response r = get(Response.Status.OK, null, "users", userId);
        JsonNode u = tree(r.readEntity(String.class));
        return new UserInfo(u.path("id").asLong(userId), u.path("username").asText(""), u.path("bot").asBoolean(false),
                u.path("state").asText("active"));
    }

    /** When the note's emoji reactions were given (each one's {@code created_at} and {@code updated_at}). */
    List<java.time.Instant> noteReactionTimes(long projectId, long iid, long noteId) throws GitLabApiException {
        MultivaluedMap<String, String> query = new MultivaluedHashMap<>();
        query.putSingle("per_page", String.valueOf(PER_PAGE));
        Response r = get(Response.Status.OK, query, "projects", projectId, "issues", iid, "notes", noteId, "award_emoji");
        List<java.time.Instant> times = new ArrayList<>();
        for (JsonNode award : tree(r.readEntity(String.class))) {
            for (String field : List.of("created_at", "updated_at")) {
                if (award.path(field).isTextual()) {
                    times.add(HistoryMapper.time(award.path(field).asText()));
                }
            }
        }
        return times;
    }

    /**
     * Every item of a list resource under {@code /projects/:id/issues/:iid/<resource>}, all pages,
     * {@code extra} query parameters added (e.g. {@code sort=asc}).
     */
    <T> List<T> all(Class<T> type, long projectId, long iid, String resource, Map<String, String> extra)
            throws GitLabApiException {
        List<T> items = new ArrayList<>();
        int page = 1;
        for (int pages = 0; pages < MAX_PAGES; pages++) {
            MultivaluedMap<String, String> query = new MultivaluedHashMap<>();
            extra.forEach(query::putSingle);
            query.putSingle("per_page", String.valueOf(PER_PAGE));
            query.putSingle("page", String.valueOf(page));
            Response r = get(Response.Status.OK, query, "projects", projectId, "issues", iid, resource);
            List<T> batch = list(type, r.readEntity(String.class));
            items.addAll(batch);
            Optional<Integer> next = nextPage(r.getHeaderString("X-Next-Page"), r.getHeaderString("Link"));
            if (next.isEmpty() || next.get() <= page) {
                if (next.isEmpty() && r.getHeaderString("X-Next-Page") == null && r.getHeaderString("Link") == null
                        && !batch.isEmpty()) {
                    page++; // no pagination headers at all (a proxy stripped them): walk until an empty page
                    continue;
                }
                return items;
            }
            page = next.get();
        }
        throw new GitLabApiException("GET " + resource + " of issue " + projectId + "#" + iid + " announced more than "
                + MAX_PAGES + " pages");
    }

    static Optional<Integer> nextPage(String xNextPage, String link) {
        if (xNextPage != null && !xNextPage.isBlank()) {
            try {
                return Optional.of(Integer.parseInt(xNextPage.strip()));
            } catch (NumberFormatException ignored) {
                // fall through to Link
            }
        }
        if (link != null) {
            Matcher m = NEXT_LINK.matcher(link);
            if (m.find()) {
                Matcher page = Pattern.compile("[?&]page=(\\d+)").matcher(m.group(1));
                if (page.find()) {
                    return Optional.of(Integer.parseInt(page.group(1)));
                }
            }
        }
        return Optional.empty();
    }

    private IssueSnapshot snapshot(String body) throws GitLabApiException {
        try {
            JsonNode tree = json.readTree(body);
            Issue issue = json.unmarshal(Issue.class, tree);
            JsonNode moved = tree.path("moved_to_id");
            return new IssueSnapshot(issue, moved.isIntegralNumber() ? Optional.of(moved.asLong()) : Optional.empty());
        } catch (IOException e) {
            throw new GitLabApiException(e);
        }
    }

    private <T> List<T> list(Class<T> type, String body) throws GitLabApiException {
        try {
            return json.unmarshalList(type, body);
        } catch (IOException e) {
            throw new GitLabApiException(e);
        }
    }

    private JsonNode tree(String body) throws GitLabApiException {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            throw new GitLabApiException(e);
        }
    }
}
