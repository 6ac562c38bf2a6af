package org.countersign.gitlab;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.countersign.config.Settings;
import org.countersign.people.BoardColumns;

/**
 * Tickets per board column for the overview, counted by GitLab ({@code X-Total} of a one-item page per
 * list label, open tickets with none of them, closed ones): 3 + lists requests per project, cached for
 * {@code countersign.gitlab.member-cache-ttl} so a page view costs no GitLab call within that time. A
 * ticket carrying two list labels counts in both, as GitLab's board shows it in both.
 */
@ApplicationScoped
public class GitLabBoardColumns implements BoardColumns {

    /** GitLab leaves out X-Total past this many items. */
    static final long COUNT_LIMIT = 10_000;

    private record Cached(List<Column> columns, Instant expires) {
    }

    private final GitLab4JGateway gitlab;
    private final Clock clock;
    private final Settings settings;
    private final Map<Long, Cached> cache = new ConcurrentHashMap<>();

    public GitLabBoardColumns(GitLab4JGateway gitlab, Clock clock, Settings settings) {
        this.gitlab = gitlab;
        this.clock = clock;
        this.settings = settings;
    }

    @Override
    public List<Column> columns(long projectId) {
        Instant now = clock.instant();
        Cached c = cache.get(projectId);
        if (c != null && c.expires().isAfter(now)) {
            return c.columns();
        }
        List<Column> loaded = load(projectId);
        cache.put(projectId, new Cached(loaded, now.plus(settings.memberCacheTtl())));
        return loaded;
    }

    private List<Column> load(long projectId) {
        List<String> labels = gitlab.boardListLabels(projectId);
        List<Column> out = new ArrayList<>();
        // Open: open tickets with none of the list labels (not[labels]), as the board's Open list shows them
        out.add(column("Open", gitlab.countIssues(projectId, "opened", Optional.empty(), labels)));
        for (String label : labels) {
            out.add(column(label, gitlab.countIssues(projectId, "opened", Optional.of(label), List.of())));
        }
        out.add(column("Closed", gitlab.countIssues(projectId, "closed", Optional.empty(), List.of())));
        return List.copyOf(out);
    }

    private static Column column(String name, long count) {
        return count < 0 ? new Column(name, COUNT_LIMIT, false) : new Column(name, count, true);
    }
}
