package org.countersign.web;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place that turns exceptions into {@code application/problem+json}. Responses never carry
 * class names or stack traces; unexpected errors are logged with an id the response repeats.
 */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        Response r = respond(e.problem());
        e.challenge().ifPresent(c -> r.getHeaders().putSingle("WWW-Authenticate", c));
        return r;
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        Response.StatusType type = Response.Status.fromStatusCode(status);
        String title = type == null ? "Error" : type.getReasonPhrase();
        String detail = switch (status) {
            case 400 -> "The request could not be read.";
            case 404 -> "No such resource.";
            case 405 -> "Method not allowed on this resource.";
            case 406 -> "Cannot produce the requested media type.";
            case 413 -> "The request body is too large.";
            case 415 -> "Unsupported media type.";
            default -> title;
        };
        if (status >= 500) {
            return unexpected(e);
        }
        return respond(Problem.of(status, title, detail));
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        return respond(logged(e));
    }

    /** A failure nobody expected: logged with an id that the 500 problem repeats (no class name, no trace). */
    public static Problem logged(Throwable e) {
        String id = java.util.UUID.randomUUID().toString();
        LOG.errorf(e, "unexpected error %s", id);
        return Problem.of(500, "Internal Server Error", "Unexpected error, logged as " + id + ".");
    }

    private static Response respond(Problem p) {
        return Response.status(p.status()).type(Problem.MEDIA_TYPE).entity(p).build();
    }
}
