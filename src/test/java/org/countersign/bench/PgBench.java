package org.countersign.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.countersign.e2e.TestDatabase;
import org.flywaydb.core.Flyway;

/**
 * What PostgreSQL alone sustains for the intake's work: {@code pgbench} (run as a subprocess) inserting
 * the same payload into the service's own {@code delivery} table — created by the service's Flyway
 * migrations in a scratch database, so with its indexes, its lz4 compression and its constraints — one
 * row per transaction, durably (the server's {@code synchronous_commit}, on by default, is checked),
 * with the same number of concurrent clients as the intake's saturation phase.
 *
 * <p>The statement is the service's insert of one delivery: {@code INSERT … ON CONFLICT (dedupe_key) DO
 * NOTHING RETURNING id}, the payload bound as a parameter ({@code -D payload=…}, prepared mode), the
 * dedupe key made unique per transaction, the delivery due a coalescing window later.
 *
 * <p>{@code pgbench} is found at {@code -Dbench.pgbench=PATH}, else on the PATH, else under
 * {@code /usr/lib/postgresql/<version>/bin/} (Debian's {@code postgresql-client}).
 */
final class PgBench {

    /** One pgbench run: transactions per second (without connection time) and mean latency in ms. */
    record Result(double tps, double latencyMs, long transactions, long failed, String synchronousCommit,
                  CpuAccount.Snapshot cpuFrom, CpuAccount.Snapshot cpuTo) {
    }

    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");
    private static final Pattern LATENCY = Pattern.compile("latency average = ([0-9.]+) ms");
    private static final Pattern PROCESSED = Pattern.compile("number of transactions actually processed: ([0-9]+)");
    private static final Pattern FAILED = Pattern.compile("number of failed transactions: ([0-9]+)");

    static final String SCRIPT = """
            \\set iid random(1, 10)
            \\set k random(1, 1000000000000000)
            INSERT INTO delivery (dedupe_key, event_name, event_uuid, project_id, issue_iid, actor_id, payload, received_at, status, next_attempt_at) VALUES ('pgbench-' || :client_id || '-' || :k, 'Issue Hook', NULL, 1, :iid, 1, :payload, now(), 'PENDING', now() + interval '0.2 s') ON CONFLICT (dedupe_key) DO NOTHING RETURNING id;
            """;

    private final String executable;
    private final String database;
    private final Path script;
    private final String payload;

    /** Recreates {@code database} with the service's schema; {@code payload} is the body every row stores. */
    PgBench(String database, byte[] payload) {
        this.executable = find();
        this.database = database;
        this.payload = new String(payload, StandardCharsets.UTF_8);
        TestDatabase.recreate(database);
        Flyway.configure().dataSource(TestDatabase.jdbcUrl(database), TestDatabase.user(), "")
                .locations("classpath:db/migration").load().migrate();
        try {
            script = Files.createTempFile("countersign-pgbench", ".sql");
            Files.writeString(script, SCRIPT, StandardCharsets.UTF_8);
            script.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String executable() {
        return executable;
    }

    /** {@code clients} connections, {@code threads} pgbench threads, for {@code seconds}. */
    Result run(int clients, int threads, double seconds) {
        URI server = URI.create(TestDatabase.serverUrl().substring("jdbc:".length()));
        List<String> cmd = new ArrayList<>(List.of(executable, "-n", "-M", "prepared",
                "-c", String.valueOf(clients), "-j", String.valueOf(threads),
                "-T", String.valueOf(Math.max(1, Math.round(seconds))),
                "-h", server.getHost(), "-p", String.valueOf(server.getPort() < 0 ? 5432 : server.getPort()),
                "-U", TestDatabase.user(), "-D", "payload=" + payload, "-f", script.toString(), database));
        String out;
        CpuAccount.Snapshot cpuFrom;
        CpuAccount.Snapshot cpuTo;
        try {
            CpuAccount.Snapshot from = CpuAccount.snapshot();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            // the CPU of pgbench and of its backends is read before they exit (a process gone is not accounted)
            Thread.sleep(Math.max(500, (long) (Math.max(1, Math.round(seconds)) * 1000 - 700)));
            cpuFrom = from;
            cpuTo = CpuAccount.snapshot();
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60 + (long) seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("pgbench did not end");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("pgbench failed (exit " + p.exitValue() + "):\n" + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return new Result(number(TPS, out), number(LATENCY, out), (long) number(PROCESSED, out),
                (long) number(FAILED, out), synchronousCommit(), cpuFrom, cpuTo);
    }

    /**
     * The same starting point for every measured saturation phase, the service's and pgbench's: the
     * {@code delivery} tables of {@code databases} vacuumed (a phase must not pay for the dead rows the
     * previous one left: the service skips the deliveries it covered, an UPDATE each), no autovacuum
     * worker running (waits at most 30 s) and a checkpoint done (or the next phase writes full pages).
     */
    static void settle(String... databases) {
        try {
            for (String db : databases) {
                try (var c = java.sql.DriverManager.getConnection(TestDatabase.jdbcUrl(db), TestDatabase.user(), "");
                     var s = c.createStatement()) {
                    s.execute("VACUUM delivery");
                }
            }
            try (var c = java.sql.DriverManager.getConnection(TestDatabase.jdbcUrl("postgres"), TestDatabase.user(), "");
                 var s = c.createStatement()) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < deadline) {
                    try (var r = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")) {
                        r.next();
                        if (r.getLong(1) == 0) {
                            break;
                        }
                    }
                    Thread.sleep(200);
                }
                s.execute("CHECKPOINT");
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("could not settle PostgreSQL before a phase: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String database() {
        return database;
    }

    private String synchronousCommit() {
        try (var c = java.sql.DriverManager.getConnection(TestDatabase.jdbcUrl(database), TestDatabase.user(), "");
             var s = c.createStatement(); var r = s.executeQuery("SHOW synchronous_commit")) {
            r.next();
            return r.getString(1);
        } catch (java.sql.SQLException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static double number(Pattern p, String out) {
        Matcher m = p.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("unexpected pgbench output (no " + p.pattern() + "):\n" + out);
        }
        return Double.parseDouble(m.group(1));
    }

    private static String find() {
        String configured = System.getProperty("bench.pgbench");
        if (configured != null && !configured.isBlank()) {
            return configured.strip();
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "pgbench");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                return versions.map(v -> v.resolve("bin/pgbench")).filter(Files::isExecutable)
                        .max(Comparator.comparing(Path::toString)).map(Path::toString)
                        .orElseThrow(() -> new IllegalStateException(missing()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException(missing());
    }

    private static String missing() {
        return "pgbench not found: install it (Debian: apt-get install postgresql-client or postgresql-contrib) or "
                + "set -Dbench.pgbench=/path/to/pgbench";
    }

    static String describe(Result r) {
        return String.format(Locale.ROOT, "%.0f tx/s (mean latency %.2f ms, %d transactions, %d failed, synchronous_commit=%s)",
                r.tps(), r.latencyMs(), r.transactions(), r.failed(), r.synchronousCommit());
    }
}
