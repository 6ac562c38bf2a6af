package org.countersign.e2e;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The packaged service, started as an operator would: bad configuration stops it with a clear message. */
class StartupConfigurationIT {

    private static final String DB = "countersign_it";

    @BeforeAll
    static void database() {
        TestDatabase.recreate(DB);
    }

    private record Run(int exit, String output) {
    }

    private static Run start(Map<String, String> env) throws IOException, InterruptedException {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        assertTrue(Files.exists(jar), "package the application first: " + jar.toAbsolutePath());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("COUNTERSIGN_") || k.startsWith("QUARKUS_"));
        pb.environment().put("QUARKUS_HTTP_PORT", "0");
        pb.environment().put("QUARKUS_DATASOURCE_JDBC_URL", TestDatabase.jdbcUrl(DB));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Run(-1, new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void missingRequiredSettingsStopStartupNamingEachKey() throws Exception {
        Run run = start(Map.of());
        assertNotEquals(0, run.exit(), run.output());
        assertNotEquals(-1, run.exit(), "the service must stop by itself, not keep running:\n" + run.output());
        for (String key : List.of("COUNTERSIGN_GITLAB_URL", "COUNTERSIGN_GITLAB_TOKEN", "COUNTERSIGN_WEBHOOK_SECRET",
                "COUNTERSIGN_PROJECTS")) {
            assertTrue(run.output().contains(key + " (countersign."), key + " not named in:\n" + run.output());
        }
    }

    @Test
    void invalidValueStopsStartupNamingTheKey() throws Exception {
        Run run = start(Map.of(
                "COUNTERSIGN_GITLAB_URL", "gitlab.example.org",
                "COUNTERSIGN_GITLAB_TOKEN", "t",
                "COUNTERSIGN_WEBHOOK_SECRET", "s",
                "COUNTERSIGN_PROJECTS", "infra/interventions",
                "COUNTERSIGN_RECONCILE_INTERVAL", "every now and then"));
        assertNotEquals(0, run.exit(), run.output());
        assertNotEquals(-1, run.exit(), run.output());
        assertTrue(run.output().contains("COUNTERSIGN_GITLAB_URL (countersign.gitlab.url) is not an http(s) URL"), run.output());
        assertTrue(run.output().contains("COUNTERSIGN_RECONCILE_INTERVAL"), run.output());
    }
}
