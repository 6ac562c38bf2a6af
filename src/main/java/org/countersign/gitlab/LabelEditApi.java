package org.countersign.gitlab;

import jakarta.ws.rs.core.Response;
import java.util.List;
import org.gitlab4j.api.AbstractApi;
import org.gitlab4j.api.GitLabApi;
import org.gitlab4j.api.GitLabApiException;
import org.gitlab4j.api.GitLabApiForm;

/**
 * {@code PUT /projects/:id/issues/:iid} with {@code add_labels}: GitLab4J 6.2.0 only offers
 * {@code updateIssue(…labels…)}, which replaces every label and would race with people editing the
 * board at the same moment.
 */
final class LabelEditApi extends AbstractApi {

    LabelEditApi(GitLabApi api) {
        super(api);
    }

    void addLabels(long projectId, long iid, List<String> labels) throws GitLabApiException {
        GitLabApiForm form = new GitLabApiForm().withParam("add_labels", String.join(",", labels));
        put(Response.Status.OK, form.asMap(), "projects", projectId, "issues", iid);
    }
}
