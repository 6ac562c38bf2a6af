package org.countersign.bench;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * The baseline for the webhook ingest benchmark, present only in tests: the same shape as
 * {@code WebhookEndpoint} (same headers, body read as {@code byte[]}, blocking method on a worker
 * thread, 202 with a small JSON body) without the token check, parsing and database insert.
 */
@Path("/bench/bare")
public class BareResource {

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response receive(@HeaderParam("X-Gitlab-Token") String token,
                            @HeaderParam("X-Gitlab-Event") String event,
                            @HeaderParam("Idempotency-Key") String idempotencyKey,
                            byte[] body) {
        return Response.accepted(Map.of("status", "queued", "delivery", body == null ? 0 : body.length)).build();
    }
}
