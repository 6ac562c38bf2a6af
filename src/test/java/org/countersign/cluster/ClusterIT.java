package org.countersign.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.countersign.e2e.GitLabWorld;
import org.countersign.e2e.TestDatabase;
import org.countersign.gitlab.sim.GitLabSimulator;
import org.countersign.gitlab.sim.SimNote;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Countersign as deployed: packaged, in separate processes sharing one PostgreSQL database, behind a
 * load balancer, killed and restarted. Whatever happens to the instances, every violation is undone
 * once and every sign-off confirmed once.
 */
class ClusterIT {

    /** Its own database, named after the test database (COUNTERSIGN_TEST_PG_DB), so parallel checkouts do not share it. */
    private static final String DB = TestDatabase.NAME + "_cluster";
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private GitLabWorld world;
    private GitLabSimulator sim;
    private RoundRobinProxy proxy;
    private final List<ServiceProcess> instances = new ArrayList<>();

    @BeforeEach
    void world() throws Exception {
        world = new GitLabWorld() {
            @Override
            protected void prepareDatabase() {
                TestDatabase.recreate(DB);
            }
        };
        world.start();
        sim = world.sim;
        proxy = new RoundRobinProxy();
        sim.setWebhookUrl(world.hook, proxy.url("/webhooks/gitlab"));
    }

    @AfterEach
    void stop() throws Exception {
        for (ServiceProcess p : instances) {
            p.close();
        }
        proxy.close();
        world.stop();
    }

    private ServiceProcess instance(String name) throws Exception {
        return instance(name, Map.of());
    }

    private ServiceProcess instance(String name, Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(extra);
        env.put("COUNTERSIGN_GITLAB_URL", sim.baseUrl());
        env.put("COUNTERSIGN_GITLAB_TOKEN", world.bot.token());
        env.put("COUNTERSIGN_WEBHOOK_SECRET", GitLabWorld.SECRET);
        env.put("COUNTERSIGN_PROJECTS", GitLabWorld.PROJECT_PATH);
        env.put("COUNTERSIGN_RECONCILE_INTERVAL", "2s");
        env.put("COUNTERSIGN_RECONCILE_OVERLAP", "1m");
        env.put("COUNTERSIGN_WORKER_POLL_INTERVAL", "200ms");
        env.put("COUNTERSIGN_WORKER_LEASE", "10s");
        env.put("COUNTERSIGN_GITLAB_CONNECT_TIMEOUT", "1s");
        env.put("COUNTERSIGN_GITLAB_READ_TIMEOUT", "2s");
        env.put("QUARKUS_DATASOURCE_JDBC_URL", TestDatabase.jdbcUrl(DB));
        env.put("QUARKUS_DATASOURCE_USERNAME", TestDatabase.user());
        ServiceProcess p = new ServiceProcess(name, env).start();
        instances.add(p);
        proxy.setBackends(instances.stream().filter(ServiceProcess::alive).map(ServiceProcess::baseUrl).toList());
        return p;
    }

    private long violation(String title) {
        long iid = sim.createIssue(world.alice, world.project, title, world.bob).iid();
        sim.moveToList(world.bob, world.project, iid, null, GitLabWorld.DOING);
        sim.close(world.bob, world.project, iid);
        return iid;
    }

    private long reviewed(String title) {
        long iid = sim.createIssue(world.alice, world.project, title, world.bob).iid();
        sim.moveToList(world.bob, world.project, iid, null, GitLabWorld.REVIEW);
        sim.comment(world.carol, world.project, iid, "/signoff checked " + title);
        return iid;
    }

    private List<SimNote> botNotes(long iid) {
        return sim.notes(world.project, iid).stream().filter(n -> n.author().id() == world.bot.id()).toList();
    }

    private long botReopens(long iid) {
        return sim.stateEvents(world.project, iid).stream()
                .filter(e -> e.user().id() == world.bot.id() && e.state().equals("reopened")).count();
    }

    static final String CLUSTER_KEY = "7d3c2b1a-0f9e-4d8c-8b7a-6a5b4c3d2e1f";

    /**
     * Issue 8 with two real instances sweeping every 200 ms on one database: a check that misses its
     * (real, 3 s) schedule opens exactly one ticket, a failure reported to the other instance comments on
     * it once, and nothing more happens.
     */
    @Test
    void twoInstancesOpenOneProbeTicket() throws Exception {
        java.nio.file.Path checks = java.nio.file.Files.createTempFile("cluster-checks", ".yaml");
        java.nio.file.Files.writeString(checks, "checks:\n  - slug: cluster-job\n    name: Cluster job\n    ping-key: " + CLUSTER_KEY
                + "\n    period: 3s\n    grace: 1s\n    owners: [bob]\n");
        Map<String, String> env = Map.of("COUNTERSIGN_CHECKS_FILE", checks.toString(), "COUNTERSIGN_PROBES_SWEEP_INTERVAL", "200ms");
        ServiceProcess a = instance("a", env);
        ServiceProcess b = instance("b", env);
        HttpClient http = HttpClient.newHttpClient();
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(a.baseUrl() + "/ping/" + CLUSTER_KEY)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        java.util.function.Supplier<List<org.countersign.gitlab.sim.SimIssue>> tickets = () -> sim.issues(world.project).stream()
                .filter(i -> i.title().equals("Probe down: Cluster job")).toList();
        long iid = await().atMost(PATIENCE).until(tickets::get, l -> !l.isEmpty()).get(0).iid();
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(b.baseUrl() + "/ping/" + CLUSTER_KEY + "/fail"))
                .POST(HttpRequest.BodyPublishers.ofString("rsync: connection refused")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode());
        await().atMost(PATIENCE).until(() -> botNotes(iid).stream().anyMatch(n -> n.body().contains("connection refused")));
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> tickets.get().size() == 1
                && botNotes(iid).stream().filter(n -> n.body().contains("failed again")).count() == 1);
        assertEquals(1, count("SELECT count(*) FROM probe_transition WHERE cause = 'MISSED'"), "one miss, one transition");
        assertEquals(1, count("SELECT count(*) FROM probe_ticket"));
        assertEquals(2, count("SELECT count(*) FROM probe_alert WHERE channel = 'TICKET' AND status = 'DONE'"));
    }

    /** Every violation undone exactly once, every sign-off confirmed exactly once, and it stays so. */
    private void assertEnforcedOnce(List<Long> violations, List<Long> signoffs) throws InterruptedException {
        try {
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(250)).until(() ->
                    violations.stream().allMatch(i -> !sim.issue(world.project, i).isClosed() && botNotes(i).size() == 1)
                            && signoffs.stream().allMatch(i -> botNotes(i).size() == 1));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder why = new StringBuilder("not enforced in time:\n");
            for (long i : violations) {
                why.append(" violation #").append(i).append(" closed=").append(sim.issue(world.project, i).isClosed())
                        .append(" notes=").append(botNotes(i).size()).append(" reopens=").append(botReopens(i)).append('\n');
            }
            for (long i : signoffs) {
                why.append(" sign-off #").append(i).append(" notes=").append(botNotes(i).size()).append('\n');
            }
            for (ServiceProcess p : instances) {
                String out = p.output();
                why.append("---- instance log (tail)\n").append(out.substring(Math.max(0, out.length() - 6000)));
                String dump = p.threadDump();
                java.nio.file.Path file = java.nio.file.Path.of("target", "cluster-threads-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".txt");
                try {
                    java.nio.file.Files.writeString(file, dump);
                    why.append("\n---- thread dump in ").append(file.toAbsolutePath()).append('\n');
                } catch (java.io.IOException io) {
                    why.append("\n(thread dump not written: ").append(io.getMessage()).append(")\n");
                }
            }
            throw new AssertionError(why.toString(), e);
        }
        // nothing more happens over two more reconciliation passes and any straggling retry
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250)).until(() ->
                violations.stream().allMatch(i -> botReopens(i) == 1 && botNotes(i).size() == 1 && !sim.issue(world.project, i).isClosed())
                        && signoffs.stream().allMatch(i -> botNotes(i).size() == 1));
        sim.awaitWebhooksSent();
        for (long i : violations) {
            assertEquals(1, botReopens(i), "reopens of #" + i);
            assertEquals(1, botNotes(i).size(), "notes on #" + i);
            assertTrue(!sim.issue(world.project, i).isClosed());
        }
        for (long i : signoffs) {
            assertEquals(1, botNotes(i).size(), "confirmations on #" + i);
            assertTrue(botNotes(i).get(0).body().contains("Sign-off by @carol recorded"));
        }
    }

    @Test
    void twoInstancesShareTheWorkAndActOnce() throws Exception {
        ServiceProcess a = instance("a");
        ServiceProcess b = instance("b");
        List<Long> violations = new ArrayList<>();
        List<Long> signoffs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            violations.add(violation("violation " + i));
            signoffs.add(reviewed("reviewed " + i));
        }
        // the same delivery reaching both instances at once is stored once
        String body = sim.webhookDeliveries().get(0).body();
        String key = UUID.randomUUID().toString();
        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> both = new ArrayList<>();
        for (ServiceProcess p : List.of(a, b)) {
            both.add(http.sendAsync(HttpRequest.newBuilder(URI.create(p.baseUrl() + "/webhooks/gitlab"))
                    .header("X-Gitlab-Event", "Issue Hook").header("X-Gitlab-Token", GitLabWorld.SECRET)
                    .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        List<String> answers = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> f : both) {
            assertEquals(202, f.get().statusCode());
            answers.add(f.get().body().contains("\"queued\"") ? "queued" : f.get().body().contains("\"duplicate\"") ? "duplicate"
                    : f.get().body());
        }
        assertEquals(List.of("duplicate", "queued"), answers.stream().sorted().toList(), "stored by one instance only");
        assertEnforcedOnce(violations, signoffs);
        // at most the one row: it is deleted once an evaluation that read the ticket after it has covered it
        assertTrue(count("SELECT count(*) FROM delivery WHERE dedupe_key = 'idem:" + key + "'") <= 1);
        assertEquals(2, count("SELECT count(DISTINCT locked_by) FROM delivery WHERE locked_by IS NOT NULL"),
                "both instances worked off deliveries");
        // the enforcement is visible; the last deliveries (covered, or waiting their coalescing window or
        // their ticket's evaluation on the other instance) are worked off moments later
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                count("SELECT count(*) FROM delivery WHERE status NOT IN ('DONE', 'SKIPPED')") == 0
                        && count("SELECT count(*) FROM pending_action WHERE status NOT IN ('DONE', 'SKIPPED')") == 0);
        assertEquals(0, count("SELECT count(*) FROM delivery WHERE status IN ('DEAD', 'BLOCKED')"));
    }

    @Test
    void killDashNineLosesNothingAndRepeatsNothing() throws Exception {
        ServiceProcess a = instance("a");
        sim.setLatency(Duration.ofMillis(150)); // keep work in flight when the kill comes
        List<Long> violations = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            violations.add(violation("violation " + i));
        }
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).until(() -> violations.stream().anyMatch(i -> botReopens(i) > 0));
        a.kill9();
        long enforcedAtKill = violations.stream().filter(i -> botNotes(i).size() == 1).count();
        assertTrue(enforcedAtKill < violations.size(), "the kill came in the middle of the work");
        violations.add(violation("closed while Countersign was down"));
        sim.setLatency(Duration.ZERO);
        instance("a again");
        assertEnforcedOnce(violations, List.of());
    }

    @Test
    void sigtermFinishesTheWorkInHand() throws Exception {
        ServiceProcess a = instance("a");
        sim.setLatency(Duration.ofMillis(400));
        long iid = violation("closed just before a deploy");
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50))
                .until(() -> count("SELECT count(*) FROM pending_action WHERE locked_until IS NOT NULL AND status = 'PENDING'") > 0);
        int exit = a.terminate(Duration.ofSeconds(40));
        assertTrue(exit == 0 || exit == 143, "exit " + exit + ":\n" + a.output());
        // what was claimed was finished, not left to expire
        assertEquals(0, count("SELECT count(*) FROM pending_action WHERE locked_until IS NOT NULL AND status = 'PENDING'"));
        assertTrue(count("SELECT count(*) FROM pending_action WHERE status = 'DONE'") >= 1);
        sim.setLatency(Duration.ZERO);
        instance("a after deploy");
        assertEnforcedOnce(List.of(iid), List.of());
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(TestDatabase.jdbcUrl(DB), TestDatabase.user(), "");
             Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }
}
