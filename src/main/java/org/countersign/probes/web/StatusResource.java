package org.countersign.probes.web;

import io.quarkus.qute.Template;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.countersign.probes.StatusReport;
import org.countersign.store.ProbeStore;

/**
 * The public status page, no login: {@code /status} (HTML, no JavaScript, no CDN), {@code /status.json}, and
 * {@code /badge/<slug>.svg} per public check. Only public checks; never a ping key or a token.
 */
@Path("/")
public class StatusResource {

    private final StatusReport report;
    private final ProbeStore store;
    private final Template status;

    public StatusResource(StatusReport report, ProbeStore store, Template status) {
        this.report = report;
        this.store = store;
        this.status = status;
    }

    @GET
    @Path("status")
    @Produces(MediaType.TEXT_HTML)
    public Response html() {
        String page = status.data("report", report.report()).render();
        return Response.ok(page).cacheControl(noCache()).build();
    }

    @GET
    @Path("status.json")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> json() {
        StatusReport.Report r = report.report();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("checks", r.checks().stream().map(c -> {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("slug", c.slug());
            x.put("name", c.name());
            x.put("status", c.status());
            x.put("last_ping", c.lastPing());
            x.put("next_due", c.nextDue());
            return x;
        }).toList());
        m.put("projects", r.projects().stream().map(p -> Map.of("path", p.path(), "open_probe_tickets", p.openProbeTickets(),
                "awaiting_review", p.awaitingReview())).toList());
        return m;
    }

    @GET
    @Path("badge/{slug}.svg")
    @Produces("image/svg+xml")
    public Response badge(@PathParam("slug") String slug) {
        Optional<org.countersign.probes.StoredCheck> c = store.find(slug).filter(x -> x.spec().isPublic());
        if (c.isEmpty()) {
            return Response.status(404).type(MediaType.TEXT_PLAIN).entity("no public check '" + slug + "'\n").build();
        }
        return Response.ok(Badge.svg(c.get().spec().name(), c.get().state().status().key())).cacheControl(noCache()).build();
    }

    private static CacheControl noCache() {
        CacheControl cc = new CacheControl();
        cc.setNoCache(true);
        return cc;
    }

    /** A flat badge, label left, status right (shields.io look), self-contained SVG. */
    static final class Badge {
        private static final Map<String, String> COLOURS = Map.of("up", "#2da44e", "down", "#cf222e", "late", "#d4a72c",
                "started", "#d4a72c", "new", "#8c959f");

        static String svg(String label, String status) {
            int lw = 10 + 7 * label.length();
            int sw = 10 + 7 * status.length();
            String l = escape(label);
            String colour = COLOURS.getOrDefault(status, "#8c959f");
            return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + (lw + sw) + "\" height=\"20\" role=\"img\" aria-label=\""
                    + l + ": " + status + "\"><title>" + l + ": " + status + "</title>"
                    + "<rect width=\"" + lw + "\" height=\"20\" fill=\"#555\"/><rect x=\"" + lw + "\" width=\"" + sw + "\" height=\"20\" fill=\""
                    + colour + "\"/><g fill=\"#fff\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\" text-anchor=\"middle\">"
                    + "<text x=\"" + lw / 2 + "\" y=\"14\">" + l + "</text><text x=\"" + (lw + sw / 2) + "\" y=\"14\">" + status
                    + "</text></g></svg>";
        }

        static String escape(String s) {
            return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
        }
    }
}
