package org.countersign.probes.web;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import org.countersign.probes.Ping;
import org.countersign.probes.RecordPing;

/**
 * The ping URLs jobs call (healthchecks.io style): {@code /ping/<key>} success, {@code /start}, {@code /fail},
 * {@code /<exit-status>}; GET or POST; the first 10 kB of a POST body are the run's log. Plain-text answers:
 * 200 OK, 404 for an unknown key or suffix, 429 when the key pings too often.
 */
@Path("/ping/{key}")
@Produces(MediaType.TEXT_PLAIN)
public class PingResource {

    private final RecordPing record;

    public PingResource(RecordPing record) {
        this.record = record;
    }

    @GET
    public Response get(@PathParam("key") String key) {
        return ping(key, "", null);
    }

    @GET
    @Path("{suffix}")
    public Response get(@PathParam("key") String key, @PathParam("suffix") String suffix) {
        return ping(key, suffix, null);
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response post(@PathParam("key") String key, byte[] body) {
        return ping(key, "", body);
    }

    @POST
    @Path("{suffix}")
    @Consumes(MediaType.WILDCARD)
    public Response post(@PathParam("key") String key, @PathParam("suffix") String suffix, byte[] body) {
        return ping(key, suffix, body);
    }

    private Response ping(String key, String suffix, byte[] body) {
        Optional<UUID> uuid = uuid(key);
        Optional<Ping> ping = Ping.parse(suffix);
        if (uuid.isEmpty() || ping.isEmpty()) {
            return text(404, "not found: no check has this ping URL\n");
        }
        return switch (record.record(uuid.get(), ping.get(), log(body))) {
            case OK -> text(200, "OK\n");
            case UNKNOWN_KEY -> text(404, "not found: no check has this ping URL\n");
            case RATE_LIMITED -> Response.status(429).type(MediaType.TEXT_PLAIN).header("Retry-After", "60")
                    .entity("rate limited: this key pings too often\n").build();
        };
    }

    private static Response text(int status, String text) {
        return Response.status(status).type(MediaType.TEXT_PLAIN).entity(text).build();
    }

    private static Optional<UUID> uuid(String key) {
        try {
            UUID u = UUID.fromString(key);
            return u.toString().equalsIgnoreCase(key) ? Optional.of(u) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The first 10 kB as text (a character cut in half at the end is dropped; invalid bytes replaced); null if none. */
    static String log(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        int n = Math.min(body.length, RecordPing.LOG_LIMIT);
        CharBuffer out = CharBuffer.allocate(n);
        StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(body, 0, n), out, true);
        out.flip();
        return out.toString().replace('\0', '\uFFFD');
    }
}
