package org.countersign.gitlab;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.countersign.config.Settings;
import org.countersign.people.Members;
import org.countersign.policy.SignerFacts;
import org.countersign.workflow.GitLabFailure;
import org.countersign.workflow.GitLabPort;
import org.gitlab4j.api.GitLabApi;
import org.gitlab4j.api.GitLabApiException;


/**
 * Project memberships for the pages and the API, read with Countersign's own token ({@code GET
 * /projects/:id/members/all[/:user_id]}: effective members, inherited included) and cached for
 * {@code countersign.gitlab.member-cache-ttl}.
 */
@ApplicationScoped
public class GitLabMembers implements Members {

    private record Cached<T>(T value, Instant expires) {
    }

    private final GitLabApi api;
    private final GitLabPort gitlab;
    private final Clock clock;
    private final Settings settings;
    private final Map<String, Cached<Boolean>> membership = new ConcurrentHashMap<>();
    private final Map<Long, Cached<List<Members.Member>>> lists = new ConcurrentHashMap<>();

    public GitLabMembers(Settings settings, GitLabPort gitlab, Clock clock) {
        this.settings = settings;
        this.api = new GitLabApi(settings.gitlabUrl(), settings.gitlabToken())
                .withRequestTimeout((int) settings.connectTimeout().toMillis(), (int) settings.readTimeout().toMillis());
        this.gitlab = gitlab;
        this.clock = clock;
    }

    @PreDestroy
    void close() {
        api.close();
    }

    @Override
    public boolean isMember(long projectId, long userId) {
        return cached(membership, projectId + ":" + userId, () -> {
            try {
                org.gitlab4j.api.models.Member m = api.getProjectApi().getMember(projectId, userId, true);
                return m != null && m.getAccessLevel() != null && m.getAccessLevel().value > 0;
            } catch (GitLabApiException e) {
                if (e.getHttpStatus() == 404) {
                    return false;
                }
                throw new GitLabFailure("GET member: " + e.getMessage(), e.getHttpStatus(), java.util.Optional.empty(), e);
            }
        });
    }

    @Override
    public List<Members.Member> members(long projectId) {
        return cached(lists, projectId, () -> {
            try {
                return api.getProjectApi().getAllMembers(projectId).stream()
                        .map(m -> new Members.Member(m.getId(), m.getUsername(), m.getName(),
                                m.getAccessLevel() == null ? 0 : m.getAccessLevel().value,
                                m.getState() == null || "active".equalsIgnoreCase(m.getState().toString()),
                                HistoryMapper.account(false, m.getUsername()) == SignerFacts.Account.PERSON))
                        .toList();
            } catch (GitLabApiException e) {
                throw new GitLabFailure("GET members: " + e.getMessage(), e.getHttpStatus(), java.util.Optional.empty(), e);
            }
        });
    }

    @Override
    public long botUserId() {
        return gitlab.botUserId();
    }

    private <K, T> T cached(Map<K, Cached<T>> cache, K key, Supplier<T> load) {
        Instant now = clock.instant();
        Cached<T> c = cache.get(key);
        if (c != null && c.expires().isAfter(now)) {
            return c.value();
        }
        T value = load.get();
        cache.put(key, new Cached<>(value, now.plus(settings.memberCacheTtl())));
        return value;
    }
}
