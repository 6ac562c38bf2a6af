package org.countersign.bench;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.countersign.config.Settings;
import org.countersign.e2e.GitLabWorld;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.Test;

/**
 * The GitLab API calls one undone close costs until all is quiet, with the periodic reconciliation
 * running (every 3 s, {@link ReconcilingBenchProfile}): Bob drags a never-reviewed ticket into
 * <em>Closed</em> (the close and the removal of its column label in one update, as on the board); the
 * service reopens it, puts the label back and posts its note; then the benchmark keeps counting the
 * simulator's requests for a window of several passes ({@code bench.quiet.window}, default 12 s).
 *
 * <p>Every pass lists the project's changed issues, reads its hooks and its {@code .countersign.yml}
 * whatever happened ({@code GET /projects/:id/issues}, {@code GET /projects/:id/hooks},
 * {@code GET /projects/:id/repository/files/:file_path}, issue 10): those are reported per pass,
 * apart from the close's own cost (as in the functional test {@code GateFlowTest}). Knobs:
 * {@code bench.quiet.violations} (5), {@code bench.quiet.window} (12 s).
 */
@QuarkusTest
@TestProfile(ReconcilingBenchProfile.class)
@Tag("bench")
@DisabledIfSystemProperty(named = "bench.packaged", matches = "true") // the package-phase execution runs MemoryBenchmark only
class QuietCostBenchmark extends BenchSupport {

    /** Issue 7: at most this many GitLab calls per undone close, the per-pass listing calls apart. */
    static final int TARGET_CALLS = 8;
    static final String LISTING = "GET /projects/:id/issues";
    static final String HOOKS = "GET /projects/:id/hooks";
    static final String POLICY_FILE = "GET /projects/:id/repository/files/:file_path";

    @Inject
    Settings settings;

    record Run(long iid, double reopenMs, Map<String, Long> calls, long passes, long listing) {
        long ownCalls() {
            return calls.entrySet().stream().filter(e -> !e.getKey().equals(LISTING) && !e.getKey().equals(HOOKS)
                    && !e.getKey().equals(POLICY_FILE))
                    .mapToLong(Map.Entry::getValue).sum();
        }
    }

    @Test
    void callsFromOneUndoneCloseUntilQuiet() {
        int n = intProp("bench.quiet.violations", 5);
        Duration window = Duration.ofMillis((long) (doubleProp("bench.quiet.window", 12) * 1000));
        List<Long> tickets = new ArrayList<>();
        for (int i = 0; i < n + 1; i++) {
            tickets.add(newTicket("Quiet-cost benchmark ticket " + i));
        }
        quiesce(Duration.ofMinutes(1));
        // a few passes absorb the creations (the first one is not measured either)
        sleep(2 * settings.reconcileInterval().toMillis() + 500);

        List<Run> runs = new ArrayList<>();
        for (int i = 0; i < n + 1; i++) {
            long iid = tickets.get(i);
            quiesce(Duration.ofMinutes(1));
            sim.resetRequestCounts();
            long start = System.nanoTime();
            sim.dragToClosed(world.bob, project, iid);
            awaitTrue(() -> {
                var issue = issue(iid);
                return !issue.isClosed() && issue.labels().contains(GitLabWorld.DOING);
            }, PATIENCE, "reopen of #" + iid + " with its label back");
            double reopenMs = (System.nanoTime() - start) / 1e6;
            long deadline = start + window.toNanos();
            while (System.nanoTime() < deadline) {
                sleep(50);
            }
            quiesce(Duration.ofMinutes(1));
            Map<String, Long> calls = new TreeMap<>(sim.requestCounts());
            if (i > 0) { // the first one warms the paths up
                runs.add(new Run(iid, reopenMs, calls, calls.getOrDefault(HOOKS, 0L), calls.getOrDefault(LISTING, 0L)));
            }
        }
        report("quiet", markdown(runs, window));
    }

    private String markdown(List<Run> runs, Duration window) {
        StringBuilder md = new StringBuilder(header("GitLab calls of one undone close, reconciliation running"));
        md.append(String.format(Locale.ROOT, "Bob drags a never-reviewed ticket from *Doing* into *Closed* (close and label "
                        + "removal in one update); Countersign reopens it with its label back (one PUT) and posts its note. "
                        + "Reconciliation runs every %s (overlap %s). The simulator's requests are counted from the close "
                        + "for %d s (about %d passes) and until nothing is pending. One unmeasured violation first.%n%n",
                settings.reconcileInterval().toString().substring(2).toLowerCase(),
                settings.reconcileOverlap().toString().substring(2).toLowerCase(), window.toSeconds(),
                window.toMillis() / settings.reconcileInterval().toMillis()));
        md.append("| ticket | close → reopen ms | calls of the close | passes in the window | listing calls | listing calls per pass |\n");
        md.append("|---|---:|---:|---:|---:|---:|\n");
        Map<String, Long> total = new TreeMap<>();
        long maxOwn = 0;
        for (Run r : runs) {
            md.append(String.format(Locale.ROOT, "| #%d | %s | %d | %d | %d | %s |%n", r.iid(), f(r.reopenMs()), r.ownCalls(),
                    r.passes(), r.listing(), r.passes() == 0 ? "–" : f(r.listing() / (double) r.passes())));
            r.calls().forEach((k, v) -> total.merge(k, v, Long::sum));
            maxOwn = Math.max(maxOwn, r.ownCalls());
        }
        md.append(String.format(Locale.ROOT, "%n- GitLab calls of one undone close until quiet, per-pass listing apart: at most "
                + "**%d** (target ≤ %d: %s)%n", maxOwn, TARGET_CALLS, maxOwn <= TARGET_CALLS ? "met" : "**missed**"));
        md.append(String.format(Locale.ROOT, "- Per pass, whatever happened: `%s`, `%s` and `%s`, one each per watched "
                + "project (a page of 100 changed issues per listing call)%n%n", LISTING, HOOKS, POLICY_FILE));
        md.append("| API request (all runs above) | count | per run |\n|---|---:|---:|\n");
        total.forEach((k, v) -> md.append(String.format(Locale.ROOT, "| `%s` | %d | %s |%n", k, v, f(v / (double) runs.size()))));
        return md.toString();
    }
}
