package org.countersign.workflow;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.countersign.governance.PolicyFile;
import org.countersign.policy.PolicySettings;
import org.countersign.store.AuditLog;
import org.countersign.store.AuditRecord;
import org.countersign.store.ProjectPolicyStore;
import org.countersign.store.WatchedProject;
import org.countersign.store.WatchedProjects;
import org.jboss.logging.Logger;

/**
 * Policy as code: each watched project's {@code .countersign.yml} (default branch, repository files API)
 * overrides the environment's settings for that project. Re-read on a Push Hook touching the file and
 * at every reconciliation pass. A valid file (or its removal: back to the environment) that changes the
 * policy in force is stored and audited with its commit; an invalid one is stored as the project's
 * problem (log, {@code /q/health/well}) and the last valid policy stays in force. The row lock makes
 * concurrent refreshes on several instances agree.
 */
@ApplicationScoped
public class ProjectPolicies {

    private static final Logger LOG = Logger.getLogger(ProjectPolicies.class);
    private static final TypeReference<TreeMap<String, String>> MAP = new TypeReference<>() {
    };

    private final GitLabPort gitlab;
    private final ProjectPolicyStore store;
    private final WatchedProjects projects;
    private final AuditLog audit;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final GovernedTypes governedTypes;
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "countersign-policy-refresh");
        t.setDaemon(true);
        return t;
    });
    private final Set<Long> queued = ConcurrentHashMap.newKeySet();

    public ProjectPolicies(GitLabPort gitlab, ProjectPolicyStore store, WatchedProjects projects, AuditLog audit,
                           ObjectMapper mapper, Clock clock, GovernedTypes governedTypes) {
        this.governedTypes = governedTypes;
        this.gitlab = gitlab;
        this.store = store;
        this.projects = projects;
        this.audit = audit;
        this.mapper = mapper;
        this.clock = clock;
    }

    @PreDestroy
    void stop() {
        background.shutdownNow();
    }

    /** The rule for {@code projectId}: {@code base} (the environment) with the project's file applied. */
    public PolicySettings settingsFor(long projectId, PolicySettings base) {
        Optional<ProjectPolicyStore.Row> row = store.find(projectId);
        if (row.isEmpty() || row.get().source().equals("environment")) {
            return base;
        }
        return PolicyFile.apply(base, new PolicyFile.Overrides(read(row.get().overridesJson())));
    }

    /** A Push Hook touched the file: re-read it soon, off the request thread (a pass re-reads it anyway). */
    public void refreshSoon(long projectId, String trigger) {
        if (!queued.add(projectId)) {
            return; // already waiting: that refresh reads the newest file
        }
        background.submit(() -> {
            queued.remove(projectId);
            try {
                projects.find(projectId).ifPresent(p -> refresh(p, trigger));
            } catch (RuntimeException e) {
                LOG.warnf("re-reading %s of project %d failed; the next reconciliation pass retries: %s", PolicyFile.PATH,
                        projectId, e.getMessage());
            }
        });
    }

    /**
     * Reads the project's file and makes what it says the policy in force, or records why not. A change
     * reaches this instance's webhook intake ({@link GovernedTypes}) once committed.
     */
    public void refresh(WatchedProject p, String trigger) {
        Optional<GitLabPort.RepositoryFile> file = gitlab.repositoryFile(p.projectId(), PolicyFile.PATH);
        PolicyFile.Result parsed = file.map(f -> PolicyFile.parse(f.content()))
                .orElse(new PolicyFile.Result(Optional.of(PolicyFile.Overrides.none()), java.util.List.of()));
        String commit = file.map(GitLabPort.RepositoryFile::lastCommitId).orElse(null);
        boolean changed = QuarkusTransaction.requiringNew().call(() -> {
            Instant now = clock.instant();
            ProjectPolicyStore.Row row = store.lock(p.projectId(), now);
            if (!parsed.valid()) {
                String problem = PolicyFile.PATH + (commit == null ? "" : " at " + abbrev(commit)) + " is invalid, the policy"
                        + " in force stays: " + String.join("; ", parsed.problems());
                if (!problem.equals(row.problem())) {
                    LOG.errorf("policy of %s: %s", p.path(), problem);
                }
                store.setChecked(p.projectId(), problem, commit, now);
                return false;
            }
            Map<String, String> wanted = parsed.overrides().orElseThrow().values();
            String source = file.isPresent() && !wanted.isEmpty() ? "file" : "environment";
            Map<String, String> inForce = read(row.overridesJson());
            if (wanted.equals(inForce) && source.equals(row.source())) {
                if (row.problem() != null) {
                    LOG.infof("policy of %s: %s is valid again", p.path(), PolicyFile.PATH);
                }
                store.setChecked(p.projectId(), null, null, now);
                return false;
            }
            String json = write(wanted);
            store.setInForce(p.projectId(), json, source, commit, now);
            String summary = "Policy of " + p.path() + " now " + (source.equals("file")
                    ? "from " + PolicyFile.PATH + " at " + abbrev(commit) + ": " + describe(wanted)
                    : "the environment's defaults (" + (file.isPresent() ? PolicyFile.PATH + " sets nothing" : "no "
                    + PolicyFile.PATH + " on " + "the default branch") + ")");
            audit.append(new AuditRecord(null, now, p.projectId(), null, "POLICY", "countersign", "CHANGED", summary, trigger,
                    commit == null ? "environment" : "commit:" + commit, json));
            LOG.infof("%s", summary);
            return true;
        });
        if (changed) {
            governedTypes.reload();
        }
    }

    /** A project's policy in force, in words, and why the latest read of its file was refused (or null). */
    public record State(String inForce, String problem) {
    }

    /** Per project path: the policy in force and the latest problem, for health and pages. */
    public Map<String, State> states() {
        Map<Long, String> paths = projects.all().stream().collect(Collectors.toMap(WatchedProject::projectId,
                WatchedProject::path, (a, b) -> a));
        Map<String, State> out = new TreeMap<>();
        for (ProjectPolicyStore.Row r : store.all()) {
            String inForce = r.source().equals("file")
                    ? PolicyFile.PATH + " at " + r.sourceCommit() + ": " + describe(read(r.overridesJson()))
                    : "the environment's defaults";
            out.put(paths.getOrDefault(r.projectId(), Long.toString(r.projectId())), new State(inForce, r.problem()));
        }
        return out;
    }

    public static String describe(Map<String, String> overrides) {
        return overrides.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    private static String abbrev(String commit) {
        return commit == null ? "?" : commit.substring(0, Math.min(12, commit.length()));
    }

    private Map<String, String> read(String json) {
        try {
            return json == null ? Map.of() : mapper.readValue(json, MAP);
        } catch (Exception e) {
            throw new IllegalStateException("stored policy overrides are unreadable", e);
        }
    }

    private String write(Map<String, String> values) {
        try {
            return mapper.writeValueAsString(new TreeMap<>(values));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
