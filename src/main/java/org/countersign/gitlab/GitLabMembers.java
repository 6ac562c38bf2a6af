package org.countersign.gitlab;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.countersign.config.Settings;
import org.countersign.people.Members;
import org.countersign.policy.ProjectMember;
import org.countersign.workflow.GitLabPort;

/**
 * Project memberships for the pages and the API: the gateway's {@code GET /projects/:id/members/all}
 * (effective members, inherited included; each one's account kind from {@code GET /users/:id}, so bots
 * and service accounts are told apart as for a sign-off), the list cached for
 * {@code countersign.gitlab.member-cache-ttl}.
 */
@ApplicationScoped
public class GitLabMembers implements Members {

    private record Cached(List<ProjectMember> members, Instant expires) {
    }

    private final GitLabPort gitlab;
    private final Clock clock;
    private final Settings settings;
    private final Map<Long, Cached> lists = new ConcurrentHashMap<>();

    public GitLabMembers(Settings settings, GitLabPort gitlab, Clock clock) {
        this.settings = settings;
        this.gitlab = gitlab;
        this.clock = clock;
    }

    /**
     * Reporter (20) and above see a project in Countersign. GitLab shows Guests neither confidential issues
     * nor internal notes: in gitlabhq's app/policies/project_policy.rb {@code read_confidential_issues} is a
     * Reporter ability ({@code base_reporter_permissions} in its spec) and
     * {@code rule { admin | can?(:reporter_access) }.enable :read_internal_note}; docs/user/permissions.md
     * lists "View confidential issues" from Reporter. Countersign's pages and API show both (titles,
     * sign-off texts, audit summaries), so Guest and Minimal Access (5) members see nothing here. (The
     * Planner role, 15, of recent GitLab versions may read them too; it is kept out, on the safe side.)
     */
    public static final int MIN_ACCESS_LEVEL_TO_SEE = 20;

    @Override
    public boolean isMember(long projectId, long userId) {
        return members(projectId).stream().anyMatch(m -> m.user().id() == userId
                && m.facts().accessLevel().filter(l -> l >= MIN_ACCESS_LEVEL_TO_SEE).isPresent());
    }

    @Override
    public List<ProjectMember> members(long projectId) {
        Instant now = clock.instant();
        Cached c = lists.get(projectId);
        if (c != null && c.expires().isAfter(now)) {
            return c.members();
        }
        List<ProjectMember> loaded = List.copyOf(gitlab.members(projectId));
        lists.put(projectId, new Cached(loaded, now.plus(settings.memberCacheTtl())));
        return loaded;
    }

    @Override
    public long botUserId() {
        return gitlab.botUserId();
    }
}
