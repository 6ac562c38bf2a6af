package org.countersign.people;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * What the pages say in a notice, the API says in a header: {@code Countersign-Hidden-Projects: <n>} on an
 * {@code /api/v1} answer means n watched projects were left out because GitLab could not be asked, during
 * this request, whether the caller is a member (see {@link PeopleReads#unreadableProjects()}).
 */
public class HiddenProjectsHeader {

    public static final String HEADER = "Countersign-Hidden-Projects";

    private final PeopleReads reads;

    public HiddenProjectsHeader(PeopleReads reads) {
        this.reads = reads;
    }

    @ServerResponseFilter
    public void hiddenProjects(ContainerRequestContext request, ContainerResponseContext response) {
        if (!request.getUriInfo().getPath().startsWith("/api/v1/")) {
            return;
        }
        int hidden = reads.unreadableProjects();
        if (hidden > 0) {
            response.getHeaders().putSingle(HEADER, Integer.toString(hidden));
        }
    }
}
