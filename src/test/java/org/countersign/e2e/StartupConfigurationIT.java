package org.countersign.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged service, started as an operator would: a bad configuration stops it with the list of
 * offending variables, no stack trace, and before anything touches the database. The datasource points
 * at a port this test listens on, so any connection attempt at all (Flyway, Hibernate, a health check)
 * is counted.
 */
class StartupConfigurationIT {

    private record Run(int exit, String output) {
    }

    private ServerSocket database;
    private final AtomicInteger connections = new AtomicInteger();

    /** A "database" that counts connections and closes them. */
    @BeforeEach
    void trapDatabase() throws IOException {
        database = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!database.isClosed()) {
                try (Socket s = database.accept()) {
                    connections.incrementAndGet();
                } catch (IOException e) {
                    return;
                }
            }
        }, "trap-database");
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void closeTrap() throws IOException {
        database.close();
    }

    private Run start(Map<String, String> env) throws IOException, InterruptedException {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        assertTrue(Files.exists(jar), "package the application first: " + jar.toAbsolutePath());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("COUNTERSIGN_") || k.startsWith("QUARKUS_"));
        pb.environment().put("QUARKUS_HTTP_PORT", "0");
        pb.environment().put("QUARKUS_DATASOURCE_JDBC_URL",
                "jdbc:postgresql://127.0.0.1:" + database.getLocalPort() + "/countersign_it");
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Run(-1, new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** Exits non-zero by itself, printing the problems only: no stack trace, no connection to the database. */
    private void assertRefusedCleanly(Run run) {
        assertNotEquals(-1, run.exit(), "the service must stop by itself, not keep running:\n" + run.output());
        assertNotEquals(0, run.exit(), run.output());
        assertTrue(run.output().contains("Countersign cannot start, fix its configuration:"), run.output());
        assertFalse(run.output().contains("Exception"), "no exception in:\n" + run.output());
        assertFalse(run.output().contains("at org.") || run.output().contains("at io.") || run.output().contains("\tat "),
                "no stack trace in:\n" + run.output());
        assertEquals(0, connections.get(), "the database was contacted:\n" + run.output());
    }

    private static Map<String, String> valid() {
        Map<String, String> env = new HashMap<>();
        env.put("COUNTERSIGN_GITLAB_URL", "https://gitlab.example.org");
        env.put("COUNTERSIGN_GITLAB_TOKEN", "t");
        env.put("COUNTERSIGN_WEBHOOK_SECRET", "s");
        env.put("COUNTERSIGN_PROJECTS", "infra/interventions");
        return env;
    }

    @Test
    void missingRequiredSettingsStopStartupNamingEachKey() throws Exception {
        Run run = start(Map.of());
        assertRefusedCleanly(run);
        for (String key : List.of("COUNTERSIGN_GITLAB_URL", "COUNTERSIGN_GITLAB_TOKEN", "COUNTERSIGN_WEBHOOK_SECRET",
                "COUNTERSIGN_PROJECTS")) {
            assertTrue(run.output().contains(key + " (countersign."), key + " not named in:\n" + run.output());
        }
    }

    @Test
    void aMissingTokenAndAnInvalidAccessLevelAreListedBeforeAnythingTouchesTheDatabase() throws Exception {
        Map<String, String> env = valid();
        env.remove("COUNTERSIGN_GITLAB_TOKEN");
        env.put("COUNTERSIGN_REVIEW_MIN_ACCESS_LEVEL", "boss");
        Run run = start(env);
        assertRefusedCleanly(run);
        assertTrue(run.output().contains("  - COUNTERSIGN_GITLAB_TOKEN (countersign.gitlab.token) is required"), run.output());
        assertTrue(run.output().contains("  - COUNTERSIGN_REVIEW_MIN_ACCESS_LEVEL (countersign.review.min-access-level): "
                + "unknown access level 'boss'"), run.output());
        assertEquals(2, run.output().lines().filter(l -> l.startsWith("  - ")).count(), run.output());
    }

    @Test
    void invalidValueStopsStartupNamingTheKey() throws Exception {
        Map<String, String> env = valid();
        env.put("COUNTERSIGN_GITLAB_URL", "gitlab.example.org");
        env.put("COUNTERSIGN_RECONCILE_INTERVAL", "every now and then");
        Run run = start(env);
        assertRefusedCleanly(run);
        assertTrue(run.output().contains("COUNTERSIGN_GITLAB_URL (countersign.gitlab.url) is not an http(s) URL"), run.output());
        assertTrue(run.output().contains("COUNTERSIGN_RECONCILE_INTERVAL"), run.output());
    }

    @Test
    void governedTypesSetToNothingStopStartup() throws Exception {
        for (String value : new String[] {"", " , "}) {
            Map<String, String> env = valid();
            env.put("COUNTERSIGN_GOVERNED_TYPES", value);
            Run run = start(env);
            assertRefusedCleanly(run);
            assertTrue(run.output().contains("COUNTERSIGN_GOVERNED_TYPES (countersign.governed-types) names no work item type"),
                    "'" + value + "':\n" + run.output());
        }
    }
}
