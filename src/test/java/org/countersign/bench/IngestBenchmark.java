package org.countersign.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URL;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongFunction;
import org.countersign.e2e.GitLabWorld;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.Test;

/**
 * Webhook ingest: {@code POST /webhooks/gitlab} next to a bare endpoint doing nothing
 * ({@link BareResource}), same payload and headers, in the same JVM and run.
 *
 * <p>Knobs: {@code bench.rate} (200/s), {@code bench.seconds} (20 per phase), {@code bench.clients}
 * (64: with 16 the ingest phase left CPU idle, bounded by its commit latency rather than saturated),
 * {@code bench.warmup} (15 s per warm-up phase), {@code bench.warmup.rounds} (2: every phase twice,
 * unmeasured, before the measured ones), {@code bench.watched.seconds} (1; 0 skips the variant).
 */
@QuarkusTest
@TestProfile(BenchProfile.class)
@Tag("bench")
@DisabledIfSystemProperty(named = "bench.packaged", matches = "true") // the package-phase execution runs MemoryBenchmark only
class IngestBenchmark extends BenchSupport {


    @TestHTTPResource("/webhooks/gitlab")
    URL ingestUrl;

    @TestHTTPResource("/bench/bare")
    URL bareUrl;

    @Test
    void ingestVersusBareEndpoint() throws Exception {
        int rate = intProp("bench.rate", 200);
        int clients = intProp("bench.clients", 64);
        double seconds = phaseSeconds();
        double warmup = warmupSeconds();
        int warmupRounds = intProp("bench.warmup.rounds", 2);
        double watchedSeconds = doubleProp("bench.watched.seconds", 1);
        URI ingest = ingestUrl.toURI();
        URI bare = bareUrl.toURI();
        String run = UUID.randomUUID().toString().substring(0, 8);
        // deliveries about ten real tickets of the watched project: stored, then evaluated by the workers
        // (or skipped when an evaluation already read the ticket after the delivery arrived)
        List<byte[]> tickets = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            long iid = newTicket("Ingest benchmark ticket " + i);
            ObjectNode hook = fixture("issue-hook.json", project.id());
            ((ObjectNode) hook.get("object_attributes")).put("iid", iid);
            tickets.add(bytes(hook));
        }
        quiesce(Duration.ofMinutes(1));

        // what PostgreSQL alone sustains for the same inserts (pgbench, same payload, same table), same run
        int pgClients = intProp("bench.pgbench.clients", clients);
        PgBench pgbench = Boolean.parseBoolean(System.getProperty("bench.pgbench.skip", "false")) ? null
                : new PgBench(BenchWorld.DATABASE + "_pgbench", tickets.get(0));
        List<PgBench.Result> pgRuns = new ArrayList<>();
        StringBuilder cpu = new StringBuilder();
        Map<String, Double> ingestCpu = null;

        LoadGenerator load = new LoadGenerator();
        List<LoadGenerator.Result> results = new ArrayList<>();
        List<String> drains = new ArrayList<>();
        try {
            // warm-up: every measured phase once, unmeasured, so that the JIT has compiled what each phase
            // runs (the workers' evaluations too) before anything counts; connection pools, worker threads
            for (int round = 0; round < warmupRounds; round++) {
                String w = run + "-w" + round;
                load.openLoop("warm-up fixed rate · bare", requests(bare, tickets, w + "fb"), rate, warmup, 202);
                load.openLoop("warm-up fixed rate · ingest", requests(ingest, tickets, w + "fi"), rate, warmup, 202);
                quiesce(Duration.ofMinutes(2));
                saturate(load, "warm-up saturation · bare", bare, tickets, w + "sb", clients, warmup);
                saturate(load, "warm-up saturation · ingest", ingest, tickets, w + "si", clients, warmup);
                if (pgbench != null && round == 0) {
                    quiesce(Duration.ofMinutes(5));
                    pgbench.run(pgClients, PGBENCH_THREADS, Math.min(5, warmup)); // the scratch table's first pages
                }
                drains.add("after warm-up round " + (round + 1) + ": " + quiesce(Duration.ofMinutes(5)).toMillis() + " ms");
            }

            results.add(load.openLoop("fixed rate · bare", requests(bare, tickets, run + "-fb"), rate, seconds, 202));
            results.add(load.openLoop("fixed rate · ingest", requests(ingest, tickets, run + "-fi"), rate, seconds, 202));
            drains.add("after fixed-rate ingest: " + quiesce(Duration.ofMinutes(2)).toMillis() + " ms");

            String[] dbs = pgbench == null ? new String[] {BenchWorld.DATABASE}
                    : new String[] {BenchWorld.DATABASE, pgbench.database()};
            PgBench.settle(dbs);
            Phase satBare = saturate(load, "saturation · bare", bare, tickets, run + "-sb", clients, seconds);
            results.add(satBare.result());
            cpu.append(CpuAccount.markdown("saturation · bare", satBare.cpuFrom(), satBare.cpuTo(), satBare.result().throughput()))
                    .append('\n');
            if (pgbench != null) {
                quiesce(Duration.ofMinutes(2));
                PgBench.settle(dbs);
                PgBench.Result pg = pgbench.run(pgClients, PGBENCH_THREADS, seconds);
                pgRuns.add(pg);
                cpu.append(CpuAccount.markdown("pgbench, before saturation · ingest (until 0.7 s before its end)",
                        pg.cpuFrom(), pg.cpuTo(), pg.tps())).append('\n');
            }
            long before = pendingDeliveries();
            PgBench.settle(dbs);
            // -Dbench.jfr=default (or profile, heavier): a JFR recording of the service's JVM during this phase
            String jfrSettings = System.getProperty("bench.jfr", "");
            jdk.jfr.Recording jfr = jfrSettings.isBlank() ? null : startRecording(jfrSettings);
            Phase satIngest = saturate(load, "saturation · ingest", ingest, tickets, run + "-si", clients, seconds);
            if (jfr != null) {
                Path out = Path.of("target", "bench", "saturation-ingest.jfr");
                Files.createDirectories(out.getParent());
                jfr.stop();
                jfr.dump(out);
                jfr.close();
                System.out.println("[bench] JFR recording of saturation · ingest: " + out.toAbsolutePath());
            }
            results.add(satIngest.result());
            cpu.append(CpuAccount.markdown("saturation · ingest", satIngest.cpuFrom(), satIngest.cpuTo(),
                    satIngest.result().throughput())).append('\n');
            ingestCpu = CpuAccount.percent(satIngest.cpuFrom(), satIngest.cpuTo());
            long backlog = pendingDeliveries() - before;
            drains.add("after saturation ingest (" + backlog + " deliveries still pending when the load stopped): "
                    + quiesce(Duration.ofMinutes(5)).toMillis() + " ms");
            if (pgbench != null) {
                PgBench.settle(dbs);
                PgBench.Result pg = pgbench.run(pgClients, PGBENCH_THREADS, seconds);
                pgRuns.add(pg);
                cpu.append(CpuAccount.markdown("pgbench, after saturation · ingest (until 0.7 s before its end)",
                        pg.cpuFrom(), pg.cpuTo(), pg.tps())).append('\n');
            }

            String watchedNote = "";
            if (watchedSeconds > 0) {
                List<byte[]> watched = tickets;
                LoadGenerator.Result r = load.openLoop("fixed rate · ingest, watched project",
                        i -> request(ingest, watched.get((int) (i % watched.size())), run + "-w-" + i), rate,
                        watchedSeconds, 202);
                results.add(r);
                long pending = pendingDeliveries();
                Duration drain = quiesce(Duration.ofMinutes(10));
                double perSecond = r.ok() / (r.seconds() + drain.toNanos() / 1e9);
                watchedNote = String.format(Locale.ROOT, "Watched-project variant: %d deliveries accepted in %.1f s; "
                                + "%d were still pending when the load stopped; the workers needed %.1f s more to "
                                + "evaluate them all (≈ %.0f evaluations/s over the whole variant).%n",
                        r.ok(), r.seconds(), pending, drain.toNanos() / 1e9, perSecond);
            }
            report("ingest", markdown(rate, clients, seconds, warmup, warmupRounds, results, drains, watchedNote)
                    + pgMarkdown(pgbench, pgRuns, pgClients, results, ingestCpu) + "\n" + cpu);
        } finally {
            load.close();
        }
    }

    /**
     * A JFR recording with the JDK's {@code default} settings (method samples every 20 ms, little else) or
     * {@code profile} ones (every 10 ms, allocations too: it slowed the intake down several times), started now.
     */
    private static jdk.jfr.Recording startRecording(String settings) throws java.io.IOException, java.text.ParseException {
        jdk.jfr.Recording r = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration(settings));
        r.start();
        return r;
    }

    /** pgbench threads: one per core of the benchmark machine. */
    private static final int PGBENCH_THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());

    private static LoadGenerator.Result last(List<LoadGenerator.Result> results) {
        return results.get(results.size() - 1);
    }

    private static String pgMarkdown(PgBench pgbench, List<PgBench.Result> runs, int pgClients, List<LoadGenerator.Result> results,
                                     Map<String, Double> ingestCpu) {
        if (pgbench == null || runs.isEmpty()) {
            return "\n_pgbench comparison skipped (-Dbench.pgbench.skip=true)._\n";
        }
        LoadGenerator.Result satIngest = results.stream().filter(r -> r.name().equals("saturation · ingest")).findFirst().orElseThrow();
        LoadGenerator.Result satBare = results.stream().filter(r -> r.name().equals("saturation · bare")).findFirst().orElseThrow();
        double pg = runs.stream().mapToDouble(PgBench.Result::tps).average().orElse(Double.NaN);
        double ratio = satIngest.throughput() / pg;
        StringBuilder md = new StringBuilder("\n### Intake against PostgreSQL alone (pgbench)\n\n");
        md.append(String.format(Locale.ROOT, "`%s -n -M prepared -c %d -j %d -T <phase seconds>`: the service's insert of one "
                + "delivery (same payload bound as a parameter, same `delivery` table with its indexes and lz4 compression, "
                + "created by the service's migrations in a scratch database), one row per transaction, durable commits, "
                + "%d concurrent clients; run right before and right after the saturation ingest phase, with the service "
                + "idle; before each of these phases (and the bare one) both `delivery` tables are vacuumed, autovacuum "
                + "is let finish and a checkpoint is made, so that no phase pays for the previous one's dead rows.%n%n", pgbench.executable(), pgClients, PGBENCH_THREADS, pgClients));
        md.append("| run | tx/s | mean latency ms | transactions | failed | synchronous_commit |\n|---|---:|---:|---:|---:|---|\n");
        String[] names = {"pgbench before saturation · ingest", "pgbench after saturation · ingest"};
        for (int i = 0; i < runs.size(); i++) {
            PgBench.Result r = runs.get(i);
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.2f | %d | %d | %s |%n", i < names.length ? names[i] : "pgbench",
                    r.tps(), r.latencyMs(), r.transactions(), r.failed(), r.synchronousCommit()));
        }
        md.append('\n');
        md.append(String.format(Locale.ROOT, "- Saturation intake / pgbench (mean of the runs): **%.2f** (%.0f vs %.0f deliveries/s; "
                + "target ≥ 0.8: %s)%n", ratio, satIngest.throughput(), pg, ratio >= 0.8 ? "met" : "**missed**"));
        md.append(String.format(Locale.ROOT, "- Bare endpoint / pgbench: %.2f (HTTP server and load generator in the same JVM, "
                + "no parsing, no database)%n", satBare.throughput() / pg));
        if (ingestCpu != null) {
            // CPU time per delivery, whole machine except other processes: less sensitive to the noise
            double ingestUs = (CpuAccount.sum(ingestCpu, "machine") - CpuAccount.sum(ingestCpu, "other processes"))
                    * 1e4 / satIngest.throughput();
            double pgUs = runs.stream().mapToDouble(r -> {
                Map<String, Double> c = CpuAccount.percent(r.cpuFrom(), r.cpuTo());
                return (CpuAccount.sum(c, "machine") - CpuAccount.sum(c, "other processes")) * 1e4 / r.tps();
            }).average().orElse(Double.NaN);
            md.append(String.format(Locale.ROOT, "- CPU per stored delivery (all processes of the benchmark: load generator, "
                    + "service, PostgreSQL): intake %.0f µs, pgbench %.0f µs per transaction (pgbench client and PostgreSQL); "
                    + "ratio pgbench / intake **%.2f** — what the throughput ratio would be on a machine with nothing else "
                    + "running, both being CPU-bound%n", ingestUs, pgUs, pgUs / ingestUs));
        }
        return md.toString();
    }

    /** A saturation phase and the machine's CPU accounts around it. */
    private record Phase(LoadGenerator.Result result, CpuAccount.Snapshot cpuFrom, CpuAccount.Snapshot cpuTo) {
    }

    /**
     * {@code bench.client}: {@code wrk} (default when Debian's {@code wrk} is installed) drives the
     * saturation phases from a native process of its own ({@link Wrk}), as pgbench drives PostgreSQL;
     * {@code raw} with the lean in-JVM client of {@link LoadGenerator#closedLoopRaw} (the default without
     * wrk); {@code jdk} with the JDK {@code HttpClient} (as up to issue 7).
     */
    static String client() {
        String c = System.getProperty("bench.client", "").strip().toLowerCase(Locale.ROOT);
        if (c.isEmpty()) {
            return Wrk.available() ? "wrk" : "raw";
        }
        return c;
    }

    private Phase saturate(LoadGenerator load, String name, URI uri, List<byte[]> bodies, String keyPrefix,
                           int clients, double seconds) {
        System.out.printf(Locale.ROOT, "[bench] %s: from %.3f (epoch s)%n", name, System.currentTimeMillis() / 1e3);
        List<String[]> headers = List.of(
                new String[] {"X-Gitlab-Event", "Issue Hook"},
                new String[] {"X-Gitlab-Token", GitLabWorld.SECRET});
        switch (client()) {
            case "wrk" -> {
                Wrk.Run r = new Wrk().run(name, uri, headers, bodies, keyPrefix, clients, PGBENCH_THREADS, seconds);
                return new Phase(r.result(), r.cpuFrom(), r.cpuTo());
            }
            case "jdk" -> {
                CpuAccount.Snapshot from = CpuAccount.snapshot();
                LoadGenerator.Result r = load.closedLoop(name, requests(uri, bodies, keyPrefix), clients, seconds, 202);
                return new Phase(r, from, CpuAccount.snapshot());
            }
            default -> {
                CpuAccount.Snapshot from = CpuAccount.snapshot();
                List<String[]> withKey = new ArrayList<>(headers);
                LoadGenerator.Result r = load.closedLoopRaw(name, uri, i -> {
                    List<String[]> h = new ArrayList<>(withKey);
                    h.add(new String[] {"Idempotency-Key", keyPrefix + "-" + i});
                    return new LoadGenerator.RawRequest(h, bodies.get((int) (i % bodies.size())));
                }, clients, seconds, 202);
                return new Phase(r, from, CpuAccount.snapshot());
            }
        }
    }

    private LongFunction<HttpRequest> requests(URI uri, List<byte[]> bodies, String keyPrefix) {
        return i -> request(uri, bodies.get((int) (i % bodies.size())), keyPrefix + "-" + i);
    }

    private static HttpRequest request(URI uri, byte[] body, String key) {
        return LoadGenerator.post(uri, body)
                .header("X-Gitlab-Event", "Issue Hook")
                .header("X-Gitlab-Token", GitLabWorld.SECRET)
                .header("Idempotency-Key", key)
                .build();
    }

    private String markdown(int rate, int clients, double seconds, double warmup, int warmupRounds,
                                   List<LoadGenerator.Result> results, List<String> drains, String watchedNote) {
        StringBuilder md = new StringBuilder(header("Webhook ingest"));
        md.append(String.format(Locale.ROOT, "Payload: GitLab's documented Issue Hook (`issue-hook.json`, %d bytes) "
                + "rewritten to be about one of ten real tickets of the watched project (project %d): each delivery is "
                + "stored before the 202, then the workers evaluate the ticket through the GitLab simulator, or skip the "
                + "delivery when an evaluation already read the ticket after it arrived. Unique `Idempotency-Key` per request. Fixed rate: "
                + "%d req/s open loop, latency from the intended send time. Saturation: %d closed-loop clients (%s). "
                + "%.0f s per phase, after %d warm-up round(s) running every phase for %.0f s unmeasured (so that the "
                + "JIT has compiled what each phase runs, the workers' evaluations included); client, service, workers, "
                + "simulator and PostgreSQL share the machine.%n%n", bytes(fixture("issue-hook.json", project.id())).length,
                project.id(), rate, clients, switch (client()) {
                    case "wrk" -> "wrk, a native load generator in its own process (" + PGBENCH_THREADS
                            + " threads, as many as pgbench), -Dbench.client=wrk";
                    case "jdk" -> "JDK HttpClient, -Dbench.client=jdk";
                    default -> "lean in-JVM client: a blocking keep-alive socket per client, -Dbench.client=raw";
                }, seconds, warmupRounds, warmup));
        md.append("| phase | sent | 2xx | errors | throughput (req/s) | p50 ms | p90 ms | p99 ms | max ms |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        LoadGenerator.Result fixedIngest = null;
        LoadGenerator.Result satBare = null;
        LoadGenerator.Result satIngest = null;
        for (LoadGenerator.Result r : results) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %s | %s | %s | %s | %s |%n", r.name(), r.sent(),
                    r.ok(), r.errors(), f(r.throughput()), f(r.latency().p50()), f(r.latency().p90()),
                    f(r.latency().p99()), f(r.latency().max())));
            switch (r.name()) {
                case "fixed rate · ingest" -> fixedIngest = r;
                case "saturation · bare" -> satBare = r;
                case "saturation · ingest" -> satIngest = r;
                default -> { }
            }
        }
        md.append('\n');
        double ratio = satIngest.throughput() / satBare.throughput();
        md.append(String.format(Locale.ROOT, "- Saturation throughput ingest / bare: **%.2f** (target ≥ 0.5: %s)%n",
                ratio, ratio >= 0.5 ? "met" : "**missed**"));
        md.append(String.format(Locale.ROOT, "- p99 acknowledgement at %d deliveries/s: **%s ms** (target < 50 ms: %s)%n",
                rate, f(fixedIngest.latency().p99()), fixedIngest.latency().p99() < 50 ? "met" : "**missed**"));
        for (LoadGenerator.Result r : results) {
            if (r.errors() > 0) {
                md.append("- ").append(r.name()).append(": statuses ").append(r.statuses()).append('\n');
            }
        }
        md.append("- Time for the workers to work off the stored deliveries: ").append(String.join("; ", drains)).append('\n');
        if (!watchedNote.isEmpty()) {
            md.append("- ").append(watchedNote);
        }
        return md.toString();
    }
}
