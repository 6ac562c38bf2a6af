package org.countersign.people;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.io.StringWriter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.countersign.store.ApiTokens;
import org.countersign.web.Problem;
import org.countersign.web.ProblemException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The review queue, tickets and the audit trail for machines and scripts, under {@code /api/v1}:
 * {@code Authorization: Bearer} with an API token or the admin token, or a GitLab login session.
 * Every error is {@code application/problem+json}.
 */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Countersign")
@SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "An API token (POST /api/v1/tokens) or COUNTERSIGN_ADMIN_TOKEN")
@SecurityRequirement(name = "bearer")
@APIResponse(responseCode = "401", description = "No valid token or session",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class ApiResource {

    static final int MAX_PER_PAGE = 1000;

    public record QueueResponse(List<PeopleReads.QueueItem> items) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NewToken(String label) {
    }

    public record AuditResponse(List<PeopleReads.AuditView> entries, long total, int page, int perPage) {
    }

    @Inject
    SecurityIdentity identity;

    @Inject
    ObjectMapper mapper;

    private final Viewers viewers;
    private final PeopleReads reads;
    private final ApiTokens tokens;

    public ApiResource(Viewers viewers, PeopleReads reads, ApiTokens tokens) {
        this.viewers = viewers;
        this.reads = reads;
        this.tokens = tokens;
    }

    @GET
    @Path("/queue")
    @Operation(summary = "Tickets waiting in the review column, oldest first",
            description = "Each names the project id, iid, title, since when it waits, the implementers and the "
                    + "usernames eligible to sign it off. mine=true: only those the logged-in person may sign off.")
    public QueueResponse queue(@HeaderParam("Authorization") String authorization,
                               @Parameter(description = "true: only what the logged-in person may sign off",
                                       schema = @Schema(type = SchemaType.BOOLEAN))
                               @QueryParam("mine") String mineParam) {
        Viewer v = viewers.api(authorization, identity);
        boolean mine = flag("mine", mineParam);
        if (mine && !v.person()) {
            throw new ProblemException(400, "Bad Request", "mine=true needs a person logged in with GitLab, not a token.");
        }
        return new QueueResponse(reads.queue(v, mine));
    }

    @GET
    @Path("/projects/{projectId}/columns")
    @Operation(summary = "Tickets per board column: Open (no list label), one per board list (open tickets with its "
            + "label), Closed; counted by GitLab and cached for the member-cache TTL")
    @APIResponse(responseCode = "404", description = "Unknown project, or one the caller may not see",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public PeopleReads.ProjectColumns columns(@HeaderParam("Authorization") String authorization,
                                              @PathParam("projectId") long projectId) {
        Viewer v = viewers.api(authorization, identity);
        try {
            return reads.columns(v, projectId).orElseThrow(() -> new ProblemException(404, "Not Found",
                    "No watched project " + projectId + " you may see."));
        } catch (org.countersign.workflow.GitLabFailure e) {
            throw new ProblemException(503, "Service Unavailable",
                    "GitLab could not be asked for the board's columns just now; try again later.");
        }
    }

    @GET
    @Path("/projects/{projectId}/tickets/{iid}")
    @Operation(summary = "A ticket's latest decision: verdict, reasons, implementers, sign-offs, audit entries")
    @APIResponse(responseCode = "404", description = "Unknown ticket, or in a project the caller may not see",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public PeopleReads.TicketView ticket(@HeaderParam("Authorization") String authorization,
                                         @PathParam("projectId") long projectId, @PathParam("iid") long iid) {
        Viewer v = viewers.api(authorization, identity);
        return reads.ticket(v, projectId, iid).orElseThrow(() -> new ProblemException(404, "Not Found",
                "No ticket " + iid + " in a watched project " + projectId + " you may see."));
    }

    @GET
    @Path("/audit")
    @Produces({MediaType.APPLICATION_JSON, "text/csv"})
    @Operation(summary = "The audit trail, searched and paginated (Accept: text/csv or format=csv gives CSV)",
            description = "Oldest first. Headers X-Total, X-Page, X-Per-Page, X-Next-Page and Link (rel=next) as GitLab's.")
    public Response audit(@HeaderParam("Authorization") String authorization, @HeaderParam("Accept") String accept,
                          @Parameter(description = "GitLab project id", schema = @Schema(type = SchemaType.INTEGER))
                          @QueryParam("project") String project,
                          @Parameter(description = "issue iid, with project", schema = @Schema(type = SchemaType.INTEGER))
                          @QueryParam("ticket") String ticket,
                          @QueryParam("actor") String actor,
                          @Parameter(description = "ISO instant or date (UTC), inclusive") @QueryParam("from") String from,
                          @Parameter(description = "ISO instant (exclusive) or date (UTC, inclusive)") @QueryParam("to") String to,
                          @Parameter(description = "from 1", schema = @Schema(type = SchemaType.INTEGER))
                          @QueryParam("page") String page,
                          @Parameter(description = "1 to 1000, default 50", schema = @Schema(type = SchemaType.INTEGER))
                          @QueryParam("per_page") String perPage,
                          @Parameter(description = "csv or json, instead of the Accept header") @QueryParam("format") String format,
                          @Context UriInfo uri) {
        Viewer v = viewers.api(authorization, identity);
        AuditQuery q = AuditQuery.parse(project, ticket, actor, from, to, page, perPage, 50, MAX_PER_PAGE);
        boolean csv = format != null ? parseFormat(format) : accept != null && accept.contains("text/csv")
                && !accept.contains(MediaType.APPLICATION_JSON);
        PeopleReads.AuditResult r = reads.audit(v, q.project(), q.iid(), q.actor(), q.from(), q.to(), q.page(), q.perPage());
        Response.ResponseBuilder b = csv
                ? Response.ok(csv(r.entries()), "text/csv; charset=UTF-8")
                        .header("Content-Disposition", "attachment; filename=\"countersign-audit-" + q.page() + ".csv\"")
                : Response.ok(new AuditResponse(r.entries(), r.total(), r.page(), r.perPage()), MediaType.APPLICATION_JSON);
        b.header("X-Total", r.total()).header("X-Page", r.page()).header("X-Per-Page", r.perPage());
        if (r.hasNext()) {
            String next = uri.getRequestUriBuilder().replaceQueryParam("page", r.page() + 1).build().toString();
            b.header("X-Next-Page", r.page() + 1).header("Link", "<" + next + ">; rel=\"next\"");
        }
        return b.build();
    }

    @GET
    @Path("/audit/export")
    @Produces({"text/csv", MediaType.APPLICATION_JSON})
    @Operation(summary = "The whole audit trail matching the filters, streamed (CSV or a JSON array)",
            description = "Every matching entry in the projects the caller may see, oldest first, with no page "
                    + "limit: read from the database in chunks and written as it is read. format=csv (the default) "
                    + "or format=json (an array of the entries /audit gives); the same filters as /audit.")
    @APIResponse(responseCode = "200", description = "The entries, as an attachment",
            content = {@Content(mediaType = "text/csv"), @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = PeopleReads.AuditView.class))})
    @APIResponse(responseCode = "400", description = "A filter that is not valid, named in the detail",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response auditExport(@HeaderParam("Authorization") String authorization,
                                @Parameter(description = "GitLab project id", schema = @Schema(type = SchemaType.INTEGER))
                                @QueryParam("project") String project,
                                @Parameter(description = "issue iid, with project", schema = @Schema(type = SchemaType.INTEGER))
                                @QueryParam("ticket") String ticket,
                                @QueryParam("actor") String actor,
                                @Parameter(description = "ISO instant or date (UTC), inclusive")
                                @QueryParam("from") String from,
                                @Parameter(description = "ISO instant (exclusive) or date (UTC, inclusive)")
                                @QueryParam("to") String to,
                                @Parameter(description = "csv (default) or json") @QueryParam("format") String format) {
        Viewer v = viewers.api(authorization, identity);
        AuditQuery q = AuditQuery.parse(project, ticket, actor, from, to);
        boolean csv = format == null || format.isBlank() || parseFormat(format);
        // the projects the caller may see are settled here, in the request; the rows are read while written
        PeopleReads.AuditExport export = reads.auditExport(v, q.project(), q.iid(), q.actor(), q.from(), q.to());
        StreamingOutput body = csv ? out -> writeCsv(export, out) : out -> writeJson(export, out);
        return Response.ok(body, csv ? "text/csv; charset=UTF-8" : MediaType.APPLICATION_JSON)
                .header("Content-Disposition", "attachment; filename=\"countersign-audit." + (csv ? "csv" : "json") + "\"")
                .header("Cache-Control", "no-store")
                .build();
    }

    private static void writeCsv(PeopleReads.AuditExport export, OutputStream out) throws IOException {
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        CSVPrinter p = new CSVPrinter(w, CSV);
        export.forEachChunk(chunk -> {
            for (PeopleReads.AuditView a : chunk) {
                row(p, a);
            }
            p.flush();
        });
        p.flush();
    }

    private void writeJson(PeopleReads.AuditExport export, OutputStream out) throws IOException {
        try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartArray();
            export.forEachChunk(chunk -> {
                for (PeopleReads.AuditView a : chunk) {
                    g.writeObject(a);
                }
                g.flush();
            });
            g.writeEndArray();
        }
    }

    private static boolean parseFormat(String format) {
        return switch (format.toLowerCase(java.util.Locale.ROOT)) {
            case "csv" -> true;
            case "json" -> false;
            default -> throw new ProblemException(400, "Bad Request", "format must be csv or json.");
        };
    }

    /** CSV (RFC 4180) of audit entries; a cell starting with = + - @ is prefixed with ' so spreadsheets show it as text. */
    static String csv(List<PeopleReads.AuditView> entries) {
        StringWriter out = new StringWriter();
        try (CSVPrinter p = new CSVPrinter(out, CSV)) {
            for (PeopleReads.AuditView a : entries) {
                row(p, a);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    private static final CSVFormat CSV = CSVFormat.RFC4180.builder().setHeader("id", "at", "project_id", "iid",
            "kind", "actor", "outcome", "summary", "trigger", "gitlab_ref", "gitlab_url").get();

    private static void row(CSVPrinter p, PeopleReads.AuditView a) throws IOException {
        p.printRecord(a.id(), a.at(), a.projectId(), a.iid(), a.kind(), cell(a.actor()), a.outcome(),
                cell(a.summary()), cell(a.trigger()), cell(a.gitlabRef()), a.gitlabUrl());
    }

    private static String cell(String s) {
        return s != null && !s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0 ? "'" + s : s;
    }

    @POST
    @Path("/tokens")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Creates an API token (admin token only); the token is returned once and stored hashed")
    @APIResponse(responseCode = "201", description = "{\"id\": …, \"token\": …}")
    public Response createToken(@HeaderParam("Authorization") String authorization, NewToken body) {
        requireAdmin(authorization);
        String label = body == null ? null : body.label();
        if (label != null && label.length() > 200) {
            throw new ProblemException(400, "Bad Request", "label is longer than 200 characters.");
        }
        ApiTokens.Created t = tokens.create(label);
        return Response.status(201).entity(t).type(MediaType.APPLICATION_JSON).build();
    }

    @DELETE
    @Path("/tokens/{id}")
    @Operation(summary = "Revokes an API token (admin token only)")
    @APIResponse(responseCode = "204", description = "Revoked")
    public Response revokeToken(@HeaderParam("Authorization") String authorization, @PathParam("id") long id) {
        requireAdmin(authorization);
        if (!tokens.revoke(id)) {
            throw new ProblemException(404, "Not Found", "No live API token " + id + ".");
        }
        return Response.noContent().build();
    }

    private void requireAdmin(String authorization) {
        if (!viewers.adminTokenSet()) {
            throw new ProblemException(403, "Forbidden", "Token management is off: set COUNTERSIGN_ADMIN_TOKEN to use it.");
        }
        if (!viewers.isAdmin(authorization)) {
            throw ProblemException.bearer(authorization != null && !authorization.isBlank(),
                    "Managing API tokens needs Authorization: Bearer <COUNTERSIGN_ADMIN_TOKEN>.");
        }
    }

    /** The audit search parameters, checked: each bad one is a 400 naming it. */
    record AuditQuery(Long project, Long iid, String actor, Instant from, Instant to, int page, int perPage) {

        /** The years a date or instant may fall in: PostgreSQL's timestamps end long before Java's. */
        static final int FIRST_YEAR = 1970;
        static final int LAST_YEAR = 9999;

        /** The search without pagination (the export). */
        static AuditQuery parse(String project, String iid, String actor, String from, String to) {
            return parse(project, iid, actor, from, to, null, null, 1, 1);
        }

        static AuditQuery parse(String project, String iid, String actor, String from, String to, String page,
                                String perPage, int defaultPerPage, int maxPerPage) {
            Long pr = id("project", project);
            Long ti = id("ticket", iid);
            int p = count("page", page, 1, Integer.MAX_VALUE);
            int pp = count("per_page", perPage, defaultPerPage, maxPerPage);
            if (ti != null && pr == null) {
                throw new ProblemException(400, "Bad Request", "ticket needs project (a ticket iid is per project).");
            }
            Instant f = time("from", from, false);
            Instant t = time("to", to, true);
            if (f != null && t != null && !f.isBefore(t)) {
                throw new ProblemException(400, "Bad Request", "from must be before to.");
            }
            String a = actor == null || actor.isBlank() ? null : actor.strip().replaceFirst("^@", "");
            return new AuditQuery(pr, ti, a, f, t, p, pp);
        }

        /** A GitLab id (project id, ticket iid): a whole number from 1, or absent. */
        static Long id(String name, String value) {
            if (value == null || value.isBlank()) {
                return null;
            }
            String v = value.strip();
            if (v.matches("[0-9]{1,18}") && Long.parseLong(v) >= 1) {
                return Long.parseLong(v);
            }
            throw new ProblemException(400, "Bad Request", name + " must be a whole number from 1 (a GitLab "
                    + (name.equals("ticket") ? "issue iid" : "project id") + "), not '" + shown(value) + "'.");
        }

        /** A page number or size between {@code min} (1) and {@code max}; {@code absent} when not given. */
        static int count(String name, String value, int absent, int max) {
            if (value == null || value.isBlank()) {
                return absent;
            }
            String v = value.strip();
            if (v.matches("[0-9]{1,10}") && Long.parseLong(v) >= 1 && Long.parseLong(v) <= max) {
                return Integer.parseInt(v);
            }
            throw new ProblemException(400, "Bad Request", name + " must be a whole number between 1 and " + max
                    + ", not '" + shown(value) + "'.");
        }

        /** An instant, or a date: its start (from) or the start of the next day (to: the date is included). */
        private static Instant time(String name, String value, boolean end) {
            if (value == null || value.isBlank()) {
                return null;
            }
            int year;
            Instant at;
            try {
                if (value.length() == 10) {
                    LocalDate d = LocalDate.parse(value);
                    year = d.getYear();
                    at = (end ? d.plusDays(1) : d).atStartOfDay(ZoneOffset.UTC).toInstant();
                } else {
                    java.time.OffsetDateTime t = java.time.OffsetDateTime.parse(value);
                    year = t.getYear();
                    at = t.toInstant();
                }
            } catch (DateTimeParseException e) {
                throw new ProblemException(400, "Bad Request", name + " must be a date (2026-11-26) or an instant "
                        + "(2026-11-26T10:00:00Z), not '" + shown(value) + "'.");
            }
            if (year < FIRST_YEAR || year > LAST_YEAR) {
                throw new ProblemException(400, "Bad Request", name + " must fall in the years " + FIRST_YEAR + " to "
                        + LAST_YEAR + ", not '" + shown(value) + "'.");
            }
            return at;
        }
    }

    /** {@code mine}: true or false (1 or 0), absent or empty = false; anything else is a 400 naming it. */
    static boolean flag(String name, String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw new ProblemException(400, "Bad Request", name + " must be true or false, not '"
                    + shown(value) + "'.");
        };
    }

    /** A value as an error message quotes it: at most 40 characters. */
    static String shown(String value) {
        return value.length() > 40 ? value.substring(0, 40) + "…" : value;
    }
}
