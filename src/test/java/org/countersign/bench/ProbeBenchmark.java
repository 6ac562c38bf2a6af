package org.countersign.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.countersign.probes.SweepChecks;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * Issue 8's figures: pings acknowledged at 200 pings/s (target p99 < 20 ms), a lateness sweep of 10,000
 * checks (target < 1 s), the status page with 1,000 public checks and 90 days of history (target < 200 ms).
 * Knobs: {@code bench.probes.rate} (200), {@code bench.seconds} (20), {@code bench.probes.checks} (1000),
 * {@code bench.probes.sweep} (10000).
 */
@QuarkusTest
@TestProfile(BenchProfile.class)
@Tag("bench")
@DisabledIfSystemProperty(named = "bench.packaged", matches = "true")
class ProbeBenchmark extends BenchSupport {

    @TestHTTPResource("/")
    URL base;

    @Inject
    SweepChecks sweep;

    @Inject
    jakarta.transaction.UserTransaction tx;

    /** Runs the sweep of every due check in one transaction that is rolled back (no alert goes out); returns the count. */
    private int sweepRolledBack(Instant now, int max) throws Exception {
        tx.begin();
        try {
            int n = 0;
            int b;
            do {
                b = sweep.sweepBatch(now);
                n += b;
            } while (b > 0 && n < max);
            return n;
        } finally {
            tx.rollback();
        }
    }

    private static int exec(String sql) {
        return QuarkusTransaction.requiringNew().call(() -> Panache.getEntityManager().createNativeQuery(sql).executeUpdate());
    }

    @SuppressWarnings("unchecked")
    private static List<String> keys(String prefix) {
        return QuarkusTransaction.requiringNew().call(() -> Panache.getEntityManager().createNativeQuery(
                "SELECT CAST(ping_key AS text) FROM probe_check WHERE slug LIKE '" + prefix + "%' ORDER BY id").getResultList());
    }

    @Test
    void pingsSweepAndStatusPage() throws Exception {
        int checks = intProp("bench.probes.checks", 1000);
        int rate = intProp("bench.probes.rate", 200);
        int swept = intProp("bench.probes.sweep", 10_000);
        StringBuilder md = new StringBuilder(header("Probes: pings, lateness sweep, status page (issue 8)"));

        // 1,000 public checks, each with 90 days of history: one down hour every 10 days
        exec("INSERT INTO probe_check (slug, name, ping_key, source, period_seconds, grace_seconds, is_public, created_at) "
                + "SELECT 'bench-' || g, 'Benchmark check ' || g, gen_random_uuid(), 'api', 86400, 3600, true, now() - interval '120 days' "
                + "FROM generate_series(1, " + checks + ") g");
        exec("INSERT INTO probe_transition (check_id, at, from_status, to_status, cause, detail) "
                + "SELECT c.id, now() - make_interval(days => d) + make_interval(hours => h), CASE h WHEN 0 THEN 'up' ELSE 'down' END, "
                + "CASE h WHEN 0 THEN 'down' ELSE 'up' END, CASE h WHEN 0 THEN 'MISSED' ELSE 'SUCCESS' END, 'benchmark' "
                + "FROM probe_check c, generate_series(5, 85, 10) d, generate_series(0, 1) h WHERE c.slug LIKE 'bench-%'");
        List<String> keys = keys("bench-");
        assertEquals(checks, keys.size());

        // pings: open loop at `rate`/s, keys in turn (each key stays far below its rate limit)
        LoadGenerator load = new LoadGenerator();
        try {
            String root = base.toString().replaceAll("/$", "");
            java.util.function.LongFunction<HttpRequest> ping = i -> HttpRequest.newBuilder(
                    URI.create(root + "/ping/" + keys.get((int) (i % keys.size())))).GET().build();
            load.openLoop("warm-up", ping, rate, Math.min(warmupSeconds(), 5), 200);
            LoadGenerator.Result r = load.openLoop("pings", ping, rate, phaseSeconds(), 200);
            md.append("### Pings\n\n").append(rate).append(" pings/s for ").append(f(r.seconds())).append(" s over ")
                    .append(keys.size()).append(" keys (GET `/ping/<key>`, JDK HttpClient, open loop: latency from the intended send time)\n\n")
                    .append("| sent | 200 | other | p50 ms | p90 ms | p99 ms | max ms |\n|---|---|---|---|---|---|---|\n")
                    .append("| ").append(r.sent()).append(" | ").append(r.ok()).append(" | ").append(r.errors()).append(" | ")
                    .append(f(r.latency().p50())).append(" | ").append(f(r.latency().p90())).append(" | ")
                    .append(f(r.latency().p99())).append(" | ").append(f(r.latency().max())).append(" |\n\n")
                    .append("Target: p99 < 20 ms — ").append(r.latency().p99() < 20 ? "met" : "**NOT met**").append(".\n\n");
            assertEquals(0, r.errors(), r.statuses().toString());
        } finally {
            load.close();
        }

        // status page with the 1,000 checks: sequential GETs after a warm-up
        HttpClient http = HttpClient.newHttpClient();
        URI status = URI.create(base.toString().replaceAll("/$", "") + "/status");
        for (int i = 0; i < 20; i++) {
            http.send(HttpRequest.newBuilder(status).build(), HttpResponse.BodyHandlers.ofString());
        }
        Latencies page = new Latencies(100);
        int bytes = 0;
        for (int i = 0; i < 50; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(status).build(), HttpResponse.BodyHandlers.ofString());
            page.add(System.nanoTime() - t0);
            assertEquals(200, res.statusCode());
            bytes = res.body().length();
        }
        Latencies.Summary ps = page.summary();
        md.append("### Status page\n\n`GET /status` with ").append(checks).append(" public checks, 90-day bars from their transitions (")
                .append(bytes / 1024).append(" kB of HTML), 50 sequential requests after 20 warm-up ones\n\n")
                .append("| p50 ms | p90 ms | p99 ms | max ms |\n|---|---|---|---|\n| ").append(f(ps.p50())).append(" | ")
                .append(f(ps.p90())).append(" | ").append(f(ps.p99())).append(" | ").append(f(ps.max())).append(" |\n\n")
                .append("Target: < 200 ms — ").append(ps.p50() < 200 ? "met (median)" : "**NOT met**").append(".\n\n");

        // sweep: 10,000 checks, all past due at once (the worst case: every one becomes DOWN and gets its alert
        // queued), measured in a transaction rolled back so that no alert goes out; and the usual case, none due
        // due in 10 days, swept as of then: the background sweep of the running service (real time) leaves them alone
        exec("DELETE FROM probe_check WHERE slug LIKE 'bench-%'");
        exec("INSERT INTO probe_check (slug, name, ping_key, source, period_seconds, grace_seconds, is_public, created_at, status, "
                + "last_ping_at, late_at, down_at) SELECT 'sweep-' || g, 'Sweep ' || g, gen_random_uuid(), 'api', 3600, 600, false, "
                + "now() - interval '1 day', 'up', now() + interval '10 days' - interval '1 hour', now() + interval '10 days' - "
                + "interval '10 minutes', now() + interval '10 days' FROM generate_series(1, " + swept + ") g");
        Instant now = Instant.now().plus(java.time.Duration.ofDays(10)).plusSeconds(60);
        for (int i = 0; i < 3; i++) {
            sweepRolledBack(now, swept);
        }
        long[] all = new long[5];
        int[] made = new int[1];
        for (int i = 0; i < all.length; i++) {
            long t0 = System.nanoTime();
            made[0] = sweepRolledBack(now, swept);
            all[i] = System.nanoTime() - t0;
        }
        assertEquals(swept, made[0], "every check swept");
        java.util.Arrays.sort(all);
        long[] none = new long[5];
        for (int i = 0; i < none.length; i++) {
            long t0 = System.nanoTime();
            int n = sweep.sweep(Instant.now());
            none[i] = System.nanoTime() - t0;
            assertEquals(0, n);
        }
        java.util.Arrays.sort(none);
        md.append("### Lateness sweep\n\n").append(swept).append(" checks, median of 5 runs\n\n")
                .append("| case | median ms | max ms |\n|---|---|---|\n")
                .append("| all ").append(swept).append(" past due: each becomes DOWN, transition recorded, ticket alert queued (rolled back) | ")
                .append(f(all[2] / 1e6)).append(" | ").append(f(all[4] / 1e6)).append(" |\n")
                .append("| none due (the usual sweep) | ").append(f(none[2] / 1e6)).append(" | ").append(f(none[4] / 1e6)).append(" |\n\n")
                .append("Target: < 1 s — ").append(all[2] < 1_000_000_000L ? "met" : "**NOT met**").append(".\n");
        exec("DELETE FROM probe_check WHERE slug LIKE 'sweep-%' OR slug LIKE 'bench-%'");
        report("probes", md.toString());
        assertTrue(all[2] > 0);
    }
}
