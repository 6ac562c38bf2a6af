package org.countersign.people;

import io.quarkus.qute.Location;
import io.quarkus.qute.RawString;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateExtension;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.countersign.policy.Wording;
import org.countersign.web.ProblemException;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The people's pages, rendered on the server with Qute (no JavaScript): the overview, the review
 * queue, a ticket's decision explained, the audit search. Behind the GitLab login; a person sees only
 * the watched projects they are a member of. Without COUNTERSIGN_OIDC_CLIENT_ID they answer 503
 * "login not configured" (the API still works with tokens).
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class PagesResource {

    @Inject
    SecurityIdentity identity;

    @Inject
    @Location("people/overview.html")
    Template overview;

    @Inject
    @Location("people/queue.html")
    Template queue;

    @Inject
    @Location("people/ticket.html")
    Template ticket;

    @Inject
    @Location("people/audit.html")
    Template audit;

    @Inject
    @Location("people/message.html")
    Template message;

    private final GitLabLogin login;
    private final Viewers viewers;
    private final PeopleReads reads;

    public PagesResource(GitLabLogin login, Viewers viewers, PeopleReads reads) {
        this.login = login;
        this.viewers = viewers;
        this.reads = reads;
    }

    @GET
    @Operation(hidden = true)
    public Response index() {
        return page(v -> overview.data("viewer", v).data("projects", reads.overview(v)));
    }

    @GET
    @Path("queue")
    @Operation(hidden = true)
    public Response queue(@QueryParam("mine") String mineParam) {
        return page(v -> {
            boolean mine;
            try {
                mine = ApiResource.flag("mine", mineParam);
            } catch (ProblemException e) {
                return error(v, 400, "Bad request", e.getMessage());
            }
            return queue.data("viewer", v).data("mine", mine).data("items", reads.queue(v, mine));
        });
    }

    @GET
    @Path("projects/{projectId}/tickets/{iid}")
    @Operation(hidden = true)
    public Response ticket(@PathParam("projectId") long projectId, @PathParam("iid") long iid) {
        return page(v -> reads.ticket(v, projectId, iid)
                .map(t -> ticket.data("viewer", v).data("t", t))
                .orElseGet(() -> error(v, 404, "No such ticket", "Countersign has no ticket " + iid
                        + " in a watched project " + projectId + " that you are a member of.")));
    }

    @GET
    @Path("audit")
    @Operation(hidden = true)
    public Response audit(@QueryParam("project") String project, @QueryParam("ticket") String ticket,
                          @QueryParam("actor") String actor, @QueryParam("from") String from, @QueryParam("to") String to,
                          @QueryParam("page") String page) {
        return page(v -> {
            Map<String, String> form = new LinkedHashMap<>();
            form.put("project", blank(project));
            form.put("ticket", blank(ticket));
            form.put("actor", blank(actor));
            form.put("from", blank(from));
            form.put("to", blank(to));
            try {
                ApiResource.AuditQuery q = ApiResource.AuditQuery.parse(project, ticket, actor, from, to, page, null,
                        100, ApiResource.MAX_PER_PAGE);
                PeopleReads.AuditResult r = reads.audit(v, q.project(), q.iid(), q.actor(), q.from(), q.to(), q.page(),
                        q.perPage());
                String query = query(form);
                return audit.data("viewer", v).data("form", form).data("projects", reads.projects(v)).data("r", r)
                        .data("error", null).data("query", query)
                        .data("next", r.hasNext() ? "/audit?" + query + "&page=" + (r.page() + 1) : null);
            } catch (ProblemException e) {
                return audit.data("viewer", v).data("form", form).data("projects", reads.projects(v)).data("r", null)
                        .data("error", e.getMessage()).data("query", "").data("next", null)
                        .setAttribute(STATUS, 400);
            }
        });
    }

    /** Where GitLab sends people back after the login; the OIDC layer then restores the page they asked for. */
    @GET
    @Path("login/callback")
    @Operation(hidden = true)
    public Response callback() {
        return page(v -> null);
    }

    /**
     * Ends the Countersign session (the encrypted cookie); GitLab keeps its own, so the next page signs in
     * again at once while the person is still signed in to GitLab.
     */
    @GET
    @Path("logout")
    @Operation(hidden = true)
    public Response logout() {
        if (login.enabled() && viewers.person(identity).isPresent()) {
            oidcSession.logout().await().atMost(java.time.Duration.ofSeconds(5));
        }
        return html(200, message.data("viewer", null).data("status", 200).data("title", "Logged out")
                .data("text", "You are logged out of Countersign. GitLab keeps its own session: sign out there "
                        + "too on a shared computer.").render());
    }

    @Inject
    io.quarkus.oidc.OidcSession oidcSession;

    private Response page(Function<Viewer, TemplateInstance> render) {
        if (!login.enabled()) {
            return html(503, message.data("viewer", null).data("status", 503).data("title", "Login not configured")
                    .data("text", "These pages need log in with GitLab, which is off: the operator sets "
                            + "COUNTERSIGN_OIDC_CLIENT_ID and COUNTERSIGN_OIDC_CLIENT_SECRET (see the README). "
                            + "The REST API under /api/v1 works with API tokens meanwhile.").render());
        }
        Viewer v = viewers.person(identity).orElseThrow(UnauthorizedException::new); // the OIDC layer redirects to GitLab
        TemplateInstance t = render.apply(v);
        if (t == null) {
            return Response.seeOther(URI.create("/")).build();
        }
        t.data("hiddenProjects", reads.unreadableProjects());
        return html(t.getAttribute(STATUS) instanceof Integer status ? status : 200, t.render());
    }

    /** A page as every page answers: HTML, no caching, and a policy that lets no script run and no one frame it. */
    private static Response html(int status, String html) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(html)
                // nothing but this service's own HTML and CSS, never framed (no script runs at all)
                .header("Content-Security-Policy", "default-src 'self'; script-src 'none'; frame-ancestors 'none'")
                .header("Cache-Control", "no-store")
                .build();
    }

    /** The HTTP status a page answers with, when not 200: a template instance attribute. */
    private static final String STATUS = "countersign.status";

    /** The message page as an error: {@code status} is both shown and answered. */
    private TemplateInstance error(Viewer v, int status, String title, String text) {
        return message.data("viewer", v).data("status", status).data("title", title).data("text", text)
                .setAttribute(STATUS, status);
    }

    private static String blank(String s) {
        return s == null ? "" : s.strip();
    }

    private static String query(Map<String, String> form) {
        StringBuilder b = new StringBuilder();
        form.forEach((k, val) -> {
            if (!val.isEmpty()) {
                b.append(b.length() == 0 ? "" : "&").append(k).append('=').append(URLEncoder.encode(val, StandardCharsets.UTF_8));
            }
        });
        return b.toString();
    }

    /** Template helpers: times as Countersign words them, and the little Markdown the wording uses. */
    @TemplateExtension(namespace = "cs")
    static class Helpers {
        static String time(Instant at) {
            return at == null ? "" : Wording.time(at);
        }

        /** Escapes HTML, then renders **bold** and `code` as in GitLab. */
        static RawString md(String text) {
            if (text == null) {
                return new RawString("");
            }
            String escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
            return new RawString(escaped.replaceAll("\\*\\*(.+?)\\*\\*", "<strong>$1</strong>")
                    .replaceAll("`([^`]+)`", "<code>$1</code>"));
        }
    }
}
