package org.countersign.workflow;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.countersign.store.WatchedProject;
import org.jboss.logging.Logger;

/**
 * Whether GitLab still delivers the webhook of each watched project. GitLab disables a hook after
 * repeated failed deliveries; reconciliation keeps enforcing meanwhile, but with the delay of its
 * interval, so an operator must know. Checked once per reconciliation pass; reading hooks needs the
 * bot to be Maintainer — with less the state is "unknown", said once in the log.
 *
 * <p>Countersign's hooks are those whose URL ends with {@code /webhooks/gitlab}; if none does, every
 * hook sending issue or note events is considered.
 */
@ApplicationScoped
public class WebhookHealth {

    private static final Logger LOG = Logger.getLogger(WebhookHealth.class);

    /** One project's webhook state: ok, disabled (with GitLab's words), missing or unknown. */
    public record State(String project, String status, String detail) {
        public boolean problem() {
            return status.equals("disabled") || status.equals("missing");
        }
    }

    private final GitLabPort gitlab;
    private final Map<Long, State> states = new ConcurrentHashMap<>();

    public WebhookHealth(GitLabPort gitlab) {
        this.gitlab = gitlab;
    }

    public void check(WatchedProject p) {
        State state;
        try {
            List<GitLabPort.HookStatus> hooks = gitlab.hooks(p.projectId());
            List<GitLabPort.HookStatus> ours = hooks.stream().filter(h -> h.url().endsWith("/webhooks/gitlab")).toList();
            if (ours.isEmpty()) {
                ours = hooks.stream().filter(h -> h.issuesEvents() || h.noteEvents()).toList();
            }
            if (ours.isEmpty()) {
                state = new State(p.path(), "missing", "no webhook sends issue or note events; only reconciliation enforces");
            } else if (ours.stream().allMatch(GitLabPort.HookStatus::disabled)) {
                GitLabPort.HookStatus h = ours.get(0);
                state = new State(p.path(), "disabled", "GitLab disabled the webhook " + h.url() + " (" + h.alertStatus()
                        + h.disabledUntil().map(u -> " until " + u).orElse("") + ") after failed deliveries; "
                        + "only reconciliation enforces until it is re-enabled");
            } else {
                state = new State(p.path(), "ok", "webhook active");
            }
        } catch (GitLabFailure e) {
            state = new State(p.path(), "unknown", e.status() == 403 || e.status() == 401
                    ? "cannot read the project's webhooks (the bot needs Maintainer access for that)"
                    : "cannot read the project's webhooks: " + e.getMessage());
        }
        State previous = states.put(p.projectId(), state);
        if (previous == null || !previous.status().equals(state.status())) {
            if (state.problem()) {
                LOG.errorf("webhook of %s: %s", p.path(), state.detail());
            } else {
                LOG.infof("webhook of %s: %s", p.path(), state.detail());
            }
        }
    }

    public Map<Long, State> states() {
        return Map.copyOf(states);
    }
}
