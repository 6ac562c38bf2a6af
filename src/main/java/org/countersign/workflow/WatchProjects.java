package org.countersign.workflow;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.countersign.config.Settings;
import org.countersign.store.WatchedProject;
import org.countersign.store.WatchedProjects;
import org.jboss.logging.Logger;

/**
 * Resolves the configured projects (ids or paths) through GitLab and records when each was first
 * watched. Resolution is retried on every call until it succeeds, so GitLab being down at start-up
 * only delays it.
 */
@ApplicationScoped
public class WatchProjects {

    private static final Logger LOG = Logger.getLogger(WatchProjects.class);

    private final GitLabPort gitlab;
    private final Settings settings;
    private final WatchedProjects store;
    private final Clock clock;
    private final Map<String, WatchedProject> resolved = new ConcurrentHashMap<>();
    private final Map<String, String> problems = new ConcurrentHashMap<>();

    public WatchProjects(GitLabPort gitlab, Settings settings, WatchedProjects store, Clock clock) {
        this.gitlab = gitlab;
        this.settings = settings;
        this.store = store;
        this.clock = clock;
    }

    /** The watched projects resolved so far; tries the others again first. Never throws for one bad project. */
    public List<WatchedProject> ensureWatched() {
        for (String ref : settings.projects()) {
            if (resolved.containsKey(ref)) {
                continue;
            }
            try {
                GitLabPort.ProjectInfo p = gitlab.project(ref);
                WatchedProject w = store.ensure(p.id(), p.path(), p.webUrl(), clock.instant());
                resolved.put(ref, w);
                problems.remove(ref);
                LOG.infof("watching project %s (id %d) since %s", w.path(), w.projectId(), w.watchedSince());
            } catch (GitLabFailure e) {
                problems.put(ref, e.getMessage());
                LOG.errorf("cannot resolve watched project '%s': %s", ref, e.getMessage());
            }
        }
        List<WatchedProject> result = new ArrayList<>();
        for (WatchedProject w : resolved.values()) {
            store.find(w.projectId()).ifPresent(result::add);
        }
        return result;
    }

    /** Whether the project id is one of the configured projects (resolving them if needed). */
    public boolean isWatched(long projectId) {
        if (resolved.values().stream().anyMatch(w -> w.projectId() == projectId)) {
            return true;
        }
        return ensureWatched().stream().anyMatch(w -> w.projectId() == projectId);
    }

    /**
     * False only when the project is surely not watched: every configured project is resolved and
     * none has this id. Answers from memory (the webhook intake asks it for every delivery).
     */
    public boolean mayBeWatched(long projectId) {
        if (resolved.size() < settings.projects().size()) {
            return true; // some configured project is not resolved yet: it could be this one
        }
        return resolved.values().stream().anyMatch(w -> w.projectId() == projectId);
    }

    /** Configured projects that could not be resolved, with the reason. */
    public Map<String, String> problems() {
        return Map.copyOf(problems);
    }
}
