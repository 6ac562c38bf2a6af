package org.countersign.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.countersign.cluster.ServiceProcess;
import org.countersign.e2e.GitLabWorld;
import org.countersign.e2e.HookFixtures;
import org.countersign.e2e.TestDatabase;
import org.countersign.gitlab.sim.GitLabSimulator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Resident memory of the packaged service ({@code target/quarkus-app/quarkus-run.jar}, run as an operator
 * runs it, with the JVM options and environment of {@code deploy/systemd/countersign.service}) after a
 * load: webhook saturation, webhooks at a fixed rate, closes without review, a reconciliation pass over
 * a thousand changed tickets. Read from {@code /proc/<pid>/status}: {@code VmRSS} once all is quiet, and
 * {@code VmHWM}, the peak. Each variant runs the same load on a fresh database and simulator, one after
 * the other: the deployed options first, then each of {@code bench.memory.compare} (';'-separated sets
 * of options; default: the options deploy/ recommended before issue 7, {@code -XX:MaxRAMPercentage=50}).
 *
 * <p>Knobs: {@code bench.memory.seconds} (20 s per load phase), {@code bench.memory.tickets} (1000),
 * {@code bench.memory.violations} (30), {@code bench.clients} (64).
 */
@Tag("bench")
@EnabledIfSystemProperty(named = "bench.packaged", matches = "true") // the bench profile's package-phase execution
class MemoryBenchmark {

    static final String UNIT = "deploy/systemd/countersign.service";
    static final long TARGET_MB = 300;

    record Variant(String name, List<String> jvmOptions, Map<String, String> env) {
    }

    record Measured(Variant variant, long rssKb, long hwmKb, String heap, double saturation, long stored) {
    }

    @Test
    void residentMemoryAfterLoad() throws Exception {
        List<Variant> variants = new ArrayList<>();
        variants.add(deployed());
        for (String options : System.getProperty("bench.memory.compare", "-XX:MaxRAMPercentage=50").split(";")) {
            if (!options.isBlank()) {
                variants.add(new Variant("`" + options.strip() + "`", List.of(options.strip().split("\\s+")), Map.of()));
            }
        }
        List<Measured> results = new ArrayList<>();
        for (Variant v : variants) {
            results.add(measure(v));
        }
        BenchSupport.report("memory", markdown(results));
    }

    /** The JVM options ({@code ExecStart}, between {@code java} and {@code -jar}) and {@code Environment=} of the unit. */
    static Variant deployed() throws IOException {
        List<String> options = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(UNIT))) {
            String l = line.strip();
            if (l.startsWith("ExecStart=")) {
                String[] parts = l.substring("ExecStart=".length()).split("\\s+");
                for (int i = 1; i < parts.length && !parts[i].equals("-jar"); i++) {
                    options.add(parts[i]);
                }
            } else if (l.startsWith("Environment=")) {
                String kv = l.substring("Environment=".length()).replace("\"", "");
                int eq = kv.indexOf('=');
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        String name = "deploy/ (`" + String.join(" ", options) + "`" + (env.isEmpty() ? "" : ", " + env) + ")";
        return new Variant(name, options, env);
    }

    private Measured measure(Variant variant) throws Exception {
        String db = BenchWorld.DATABASE + "_memory";
        GitLabWorld world = new GitLabWorld() {
            @Override
            protected void prepareDatabase() {
                TestDatabase.recreate(db);
            }
        };
        world.start();
        GitLabSimulator sim = world.sim;
        Map<String, String> env = new HashMap<>(variant.env());
        env.put("COUNTERSIGN_GITLAB_URL", sim.baseUrl());
        env.put("COUNTERSIGN_GITLAB_TOKEN", world.bot.token());
        env.put("COUNTERSIGN_WEBHOOK_SECRET", GitLabWorld.SECRET);
        env.put("COUNTERSIGN_PROJECTS", GitLabWorld.PROJECT_PATH);
        env.put("COUNTERSIGN_RECONCILE_INTERVAL", "3s");
        env.put("QUARKUS_DATASOURCE_JDBC_URL", TestDatabase.jdbcUrl(db));
        env.put("QUARKUS_DATASOURCE_USERNAME", TestDatabase.user());
        env.put("QUARKUS_LOG_LEVEL", "WARN");
        ServiceProcess app = new ServiceProcess("memory", env).jvmOptions(variant.jvmOptions());
        LoadGenerator load = new LoadGenerator();
        try {
            app.start();
            sim.setWebhookUrl(world.hook, app.baseUrl() + "/webhooks/gitlab");
            double seconds = BenchSupport.doubleProp("bench.memory.seconds", 20);
            int clients = BenchSupport.intProp("bench.clients", 64);
            URI ingest = URI.create(app.baseUrl() + "/webhooks/gitlab");
            List<byte[]> bodies = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                long iid = newTicket(world, "Memory benchmark ticket " + i);
                ObjectNode hook = HookFixtures.about("issue-hook.json", world.project.id(), null);
                ((ObjectNode) hook.get("object_attributes")).put("iid", iid);
                bodies.add(BenchSupport.bytes(hook));
            }
            String run = UUID.randomUUID().toString().substring(0, 8);
            LoadGenerator.Result saturation = null;
            for (int round = 0; round < 2; round++) { // the first one warms the JIT up: the second's throughput is reported
                String prefix = run + "-s" + round + "-";
                saturation = load.closedLoopRaw("saturation", ingest, i -> new LoadGenerator.RawRequest(List.of(
                        new String[] {"X-Gitlab-Event", "Issue Hook"}, new String[] {"X-Gitlab-Token", GitLabWorld.SECRET},
                        new String[] {"Idempotency-Key", prefix + i}), bodies.get((int) (i % bodies.size()))), clients, seconds, 202);
            }
            load.openLoop("fixed rate", i -> LoadGenerator.post(ingest, bodies.get((int) (i % bodies.size())))
                    .header("X-Gitlab-Event", "Issue Hook").header("X-Gitlab-Token", GitLabWorld.SECRET)
                    .header("Idempotency-Key", run + "-f-" + i).build(), 200, seconds, 202);
            int violations = BenchSupport.intProp("bench.memory.violations", 30);
            List<Long> closed = new ArrayList<>();
            for (int i = 0; i < violations; i++) {
                long iid = newTicket(world, "Memory benchmark violation " + i);
                sim.close(world.bob, world.project, iid);
                closed.add(iid);
                BenchSupport.sleep(200);
            }
            BenchSupport.awaitTrue(() -> closed.stream().noneMatch(i -> sim.issue(world.project, i).isClosed()),
                    Duration.ofMinutes(2), "the violations undone");
            int tickets = BenchSupport.intProp("bench.memory.tickets", 1000);
            sim.dropWebhooks(true);
            for (int i = 0; i < tickets; i++) {
                long iid = sim.createIssue(world.alice, world.project, "Memory benchmark reconciled " + i, false,
                        List.of(GitLabWorld.DOING), world.bob).iid();
                if (i % 2 == 0) {
                    sim.moveToList(world.bob, world.project, iid, GitLabWorld.DOING, GitLabWorld.REVIEW);
                }
            }
            sim.dropWebhooks(false);
            long expected = 10 + violations + tickets;
            BenchSupport.awaitTrue(() -> count(db, "SELECT count(*) FROM ticket") >= expected, Duration.ofMinutes(5),
                    "reconciliation of the " + tickets + " tickets changed behind the service's back");
            BenchSupport.awaitTrue(() -> count(db, "SELECT count(*) FROM delivery WHERE status = 'PENDING'") == 0
                            && count(db, "SELECT count(*) FROM pending_action WHERE status = 'PENDING'") == 0,
                    Duration.ofMinutes(5), "all quiet");
            BenchSupport.sleep(3_000);
            Map<String, Long> status = procStatus(app.pid());
            String heap = heapInfo(app.pid()) + "; " + gcTime(app.pid());
            long stored = count(db, "SELECT count(*) FROM delivery");
            return new Measured(variant, status.getOrDefault("VmRSS", -1L), status.getOrDefault("VmHWM", -1L), heap,
                    saturation.throughput(), stored);
        } finally {
            load.close();
            if (app.alive()) {
                app.terminate(Duration.ofSeconds(30));
            }
            world.stop();
        }
    }

    private static long newTicket(GitLabWorld world, String title) {
        long iid = world.sim.createIssue(world.alice, world.project, title, world.bob).iid();
        world.sim.moveToList(world.bob, world.project, iid, null, GitLabWorld.DOING);
        return iid;
    }

    private static long count(String db, String sql) {
        try (Connection c = DriverManager.getConnection(TestDatabase.jdbcUrl(db), TestDatabase.user(), "");
             Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code VmRSS}, {@code VmHWM}… of a process, in kB. */
    static Map<String, Long> procStatus(long pid) {
        Map<String, Long> out = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                Matcher m = Pattern.compile("^(Vm\\w+|Rss\\w+):\\s+(\\d+) kB").matcher(line);
                if (m.find()) {
                    out.put(m.group(1), Long.parseLong(m.group(2)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** {@code jcmd <pid> GC.heap_info}, first lines: the collector, heap capacity and use. */
    private static String heapInfo(long pid) {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid),
                    "GC.heap_info").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.waitFor();
            StringBuilder sb = new StringBuilder();
            Pattern total = Pattern.compile("^\\s*(.+?)\\s+total (\\d+)K, (?:committed \\d+K, )?used (\\d+)K");
            Pattern meta = Pattern.compile("^\\s*Metaspace\\s+used (\\d+)K, committed (\\d+)K");
            for (String line : out.lines().toList()) {
                Matcher m = total.matcher(line);
                Matcher mm = meta.matcher(line);
                if (m.find()) {
                    sb.append(sb.length() == 0 ? "" : "; ").append(m.group(1)).append(' ')
                            .append(Long.parseLong(m.group(3)) / 1024).append('/').append(Long.parseLong(m.group(2)) / 1024)
                            .append(" MB used/committed");
                } else if (mm.find()) {
                    sb.append("; metaspace ").append(Long.parseLong(mm.group(1)) / 1024).append('/')
                            .append(Long.parseLong(mm.group(2)) / 1024).append(" MB");
                }
            }
            return sb.toString();
        } catch (IOException | InterruptedException e) {
            return "(no heap info: " + e.getMessage() + ")";
        }
    }

    /** Collections and time spent in them since start, from the JVM's performance counters. */
    private static String gcTime(long pid) {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid),
                    "PerfCounter.print").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.waitFor();
            Map<String, Long> c = new HashMap<>();
            for (String line : out.lines().toList()) {
                int eq = line.indexOf('=');
                if (eq > 0 && line.matches("sun\\.(gc\\.collector\\.\\d\\.(invocations|time)|os\\.hrt\\.frequency)=\\d+")) {
                    c.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
                }
            }
            double hz = c.getOrDefault("sun.os.hrt.frequency", 1_000_000_000L);
            long n = 0;
            double ms = 0;
            for (int i = 0; i < 4; i++) {
                n += c.getOrDefault("sun.gc.collector." + i + ".invocations", 0L);
                ms += c.getOrDefault("sun.gc.collector." + i + ".time", 0L) / hz * 1000;
            }
            return String.format(Locale.ROOT, "%d collections, %.0f ms in all since start", n, ms);
        } catch (IOException | InterruptedException | RuntimeException e) {
            return "(no GC counters: " + e.getMessage() + ")";
        }
    }

    private static String markdown(List<Measured> results) {
        StringBuilder md = new StringBuilder(BenchSupport.header("Resident memory of the packaged service"));
        md.append("`java <options> -jar target/quarkus-app/quarkus-run.jar`, configured by environment variables as "
                + "`deploy/systemd/` does, reconciliation every 3 s. Load, the same for each variant: "
                + "webhook saturation (lean client, twice: the second is reported), webhooks at 200/s, closes without review (undone), a reconciliation "
                + "pass over tickets changed with webhooks dropped; then all quiet and 3 s idle. "
                + "`VmRSS` then, `VmHWM` = the peak resident set since start.\n\n");
        md.append("| JVM options | RSS after the load, MB | peak RSS, MB | heap after the load (`jcmd GC.heap_info`) | "
                + "saturation (second run), deliveries/s | deliveries stored |\n|---|---:|---:|---|---:|---:|\n");
        for (Measured m : results) {
            md.append(String.format(Locale.ROOT, "| %s | **%d** | %d | %s | %.0f | %d |%n", m.variant().name(),
                    m.rssKb() / 1024, m.hwmKb() / 1024, m.heap().replace("|", "/"), m.saturation(), m.stored()));
        }
        Measured deployed = results.get(0);
        md.append(String.format(Locale.ROOT, "%n- RSS with the options deploy/ recommends: **%d MB** after the load, %d MB at "
                        + "its peak (target < %d MB: %s)%n", deployed.rssKb() / 1024, deployed.hwmKb() / 1024, TARGET_MB,
                deployed.hwmKb() / 1024 < TARGET_MB ? "met, peak included"
                        : deployed.rssKb() / 1024 < TARGET_MB ? "met after the load, not at the peak" : "**missed**"));
        return md.toString();
    }
}
