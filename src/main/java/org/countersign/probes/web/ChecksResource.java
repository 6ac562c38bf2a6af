package org.countersign.probes.web;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.countersign.config.Settings;
import org.countersign.probes.CheckSpec;
import org.countersign.probes.ChecksFile;
import org.countersign.probes.Durations;
import org.countersign.probes.Schedule;
import org.countersign.probes.StoredCheck;
import org.countersign.store.ProbeStore;
import org.countersign.web.ProblemException;
import org.countersign.web.SecretToken;

/**
 * Managing checks through the REST API, behind {@code Authorization: Bearer $COUNTERSIGN_ADMIN_TOKEN}: list
 * (with ping keys), add (same keys as the checks file, as JSON), read, delete, transitions. Checks of the
 * checks file are changed in the file (409 here).
 */
@Path("/api/checks")
@Produces(MediaType.APPLICATION_JSON)
public class ChecksResource {

    private final Optional<SecretToken> adminToken;
    private final ProbeStore store;
    private final Clock clock;

    public ChecksResource(Settings settings, ProbeStore store, Clock clock) {
        this.adminToken = settings.adminToken().map(SecretToken::new);
        this.store = store;
        this.clock = clock;
    }

    @GET
    public List<Map<String, Object>> list(@HeaderParam("Authorization") String authorization) {
        authorize(authorization);
        return store.all().stream().map(ChecksResource::view).toList();
    }

    @GET
    @Path("{slug}")
    public Map<String, Object> get(@HeaderParam("Authorization") String authorization, @PathParam("slug") String slug) {
        authorize(authorization);
        return view(find(slug));
    }

    @GET
    @Path("{slug}/transitions")
    public List<ProbeStore.StoredTransition> transitions(@HeaderParam("Authorization") String authorization,
                                                          @PathParam("slug") String slug) {
        authorize(authorization);
        return store.transitions(find(slug).id());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(@HeaderParam("Authorization") String authorization, JsonNode body) {
        authorize(authorization);
        List<String> problems = new ArrayList<>();
        Optional<CheckSpec> spec = ChecksFile.read(body, "the check", problems);
        if (spec.isEmpty()) {
            throw new ProblemException(400, "Bad Request", String.join("; ", problems));
        }
        if (!store.create(spec.get(), clock.instant())) {
            CheckSpec c = spec.get();
            Optional<String> holder = store.keyHolder(c.pingKey(), c.slug());
            throw new ProblemException(409, "Conflict", holder.isPresent()
                    ? "check '" + c.slug() + "': key 'ping-key': " + c.pingKey() + " is already the ping key of check '" + holder.get()
                            + "': leave it out to have one generated, or give another"
                    : "A check with slug '" + c.slug() + "' exists already.");
        }
        return Response.status(201).entity(view(find(spec.get().slug()))).build();
    }

    @DELETE
    @Path("{slug}")
    public Response delete(@HeaderParam("Authorization") String authorization, @PathParam("slug") String slug) {
        authorize(authorization);
        StoredCheck c = find(slug);
        if (c.source().equals("file")) {
            throw new ProblemException(409, "Conflict", "Check '" + slug + "' is declared in COUNTERSIGN_CHECKS_FILE: remove it there.");
        }
        store.delete(slug);
        return Response.noContent().build();
    }

    private StoredCheck find(String slug) {
        return store.find(slug).orElseThrow(() -> new ProblemException(404, "Not Found", "No check '" + slug + "'."));
    }

    static Map<String, Object> view(StoredCheck c) {
        Map<String, Object> m = new LinkedHashMap<>();
        CheckSpec s = c.spec();
        m.put("slug", s.slug());
        m.put("name", s.name());
        m.put("ping-key", s.pingKey().toString());
        if (s.schedule() instanceof Schedule.Period p) {
            m.put("period", Durations.format(p.period()));
        } else if (s.schedule() instanceof Schedule.CronSchedule cr) {
            m.put("cron", cr.expression());
            m.put("timezone", cr.zone().getId());
        }
        m.put("grace", Durations.format(s.schedule().grace()));
        s.minDuration().ifPresent(d -> m.put("min-duration", Durations.format(d)));
        s.project().ifPresent(p -> m.put("project", p));
        m.put("owners", s.owners());
        m.put("public", s.isPublic());
        m.put("source", c.source());
        m.put("status", c.state().status().key());
        m.put("last_ping", c.state().lastPingAt());
        m.put("next_due", c.nextDue());
        return m;
    }

    private void authorize(String authorization) {
        SecretToken token = adminToken.orElseThrow(() -> new ProblemException(403, "Forbidden",
                "The admin endpoints are off: set COUNTERSIGN_ADMIN_TOKEN to use them."));
        String given = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7).strip() : null;
        if (!token.matches(given)) {
            throw ProblemException.bearer(given != null, "Missing or wrong bearer token.");
        }
    }
}
