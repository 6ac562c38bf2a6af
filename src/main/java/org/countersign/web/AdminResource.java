package org.countersign.web;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import org.countersign.config.Settings;
import org.countersign.setup.PrepareProjects;
import org.countersign.setup.SetupReport;
import org.countersign.store.ActionQueue;
import org.countersign.store.DeliveryQueue;
import org.countersign.store.EmergencyCloses;
import org.countersign.store.ProbeAlertQueue;

/**
 * Operator endpoints, behind {@code Authorization: Bearer $COUNTERSIGN_ADMIN_TOKEN} (off when the
 * token is not set): what is parked (DEAD, or BLOCKED until the bot's token or role is fixed) and why,
 * and putting it back in the queue once the cause is fixed. BLOCKED items need no such call: they are
 * probed and requeued by themselves; retrying one only saves waiting for the next probe.
 */
@Path("/admin")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

    /**
     * Everything parked as DEAD or BLOCKED, each with its {@code status} and {@code reason}: webhook deliveries,
     * GitLab actions, and probe alerts (a ticket, webhook or e-mail about a check that could not be sent).
     */
    public record DeadLettersView(List<DeliveryQueue.Parked> deliveries, List<ActionQueue.Parked> actions,
                                  List<ProbeAlertQueue.Parked> probeAlerts) {
    }

    private final java.util.Optional<SecretToken> adminToken;
    private final DeliveryQueue deliveries;
    private final ActionQueue actions;
    private final PrepareProjects setup;
    private final ProbeAlertQueue probeAlerts;

    private final EmergencyCloses emergencies;

    public AdminResource(Settings settings, DeliveryQueue deliveries, ActionQueue actions, PrepareProjects setup,
                         EmergencyCloses emergencies, ProbeAlertQueue probeAlerts) {
        this.emergencies = emergencies;
        this.probeAlerts = probeAlerts;
        this.adminToken = settings.adminToken().map(SecretToken::new);
        this.deliveries = deliveries;
        this.actions = actions;
        this.setup = setup;
    }

    /**
     * Checks and prepares every watched project in GitLab, as {@code quarkus-run.jar setup} does; the report
     * says what was created, already right, or needs a person ({@code ready} is false then). Idempotent.
     */
    @POST
    @Path("/setup")
    public SetupReport setup(@HeaderParam("Authorization") String authorization) {
        authorize(authorization);
        return setup.run();
    }

    @GET
    @Path("/dead-letters")
    public DeadLettersView deadLetters(@HeaderParam("Authorization") String authorization) {
        authorize(authorization);
        return new DeadLettersView(deliveries.parked(), actions.parked(), probeAlerts.parked());
    }

    @POST
    @Path("/dead-letters/deliveries/{id}/retry")
    public Map<String, Object> retryDelivery(@HeaderParam("Authorization") String authorization, @PathParam("id") long id) {
        authorize(authorization);
        return revived(deliveries.revive(id), "delivery", "delivery", id);
    }

    @POST
    @Path("/dead-letters/actions/{id}/retry")
    public Map<String, Object> retryAction(@HeaderParam("Authorization") String authorization, @PathParam("id") long id) {
        authorize(authorization);
        return revived(actions.revive(id), "action", "action", id);
    }

    @POST
    @Path("/dead-letters/probe-alerts/{id}/retry")
    public Map<String, Object> retryProbeAlert(@HeaderParam("Authorization") String authorization, @PathParam("id") long id) {
        authorize(authorization);
        return revived(probeAlerts.revive(id), "probeAlert", "probe alert", id);
    }

    /** Emergency closes per person (the closer), from the audit trail, with how many were reviewed or overdue. */
    @GET
    @Path("/emergencies")
    public List<EmergencyCloses.PerPerson> emergencies(@HeaderParam("Authorization") String authorization) {
        authorize(authorization);
        return emergencies.perPerson();
    }

    /** The answer to a retry: the item back in its queue, or 404 when nothing was parked under {@code id}. */
    private static Map<String, Object> revived(boolean revived, String key, String what, long id) {
        if (!revived) {
            throw new ProblemException(404, "Not Found", "No dead or blocked " + what + " " + id + ".");
        }
        return Map.of(key, id, "status", "PENDING");
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
