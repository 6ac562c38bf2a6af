package org.countersign.playground;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;
import org.countersign.e2e.TestDatabase;

/**
 * The service as {@code ./mvnw quarkus:dev} runs it (the playground's settings of application.properties'
 * {@code %dev} profile), on free ports and the test database's name + {@code _playground}; without the
 * other tests' GitLabWorld.
 */
public class PlaygroundProfile implements QuarkusTestProfile {

    static final int GITLAB_PORT = freePort();
    static final int HTTP_PORT = freePort();

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("countersign.playground.enabled", "true"),
                Map.entry("countersign.playground.gitlab-port", Integer.toString(GITLAB_PORT)),
                Map.entry("countersign.playground.webhook-url", "http://127.0.0.1:" + HTTP_PORT + "/webhooks/gitlab"),
                Map.entry("quarkus.http.test-port", Integer.toString(HTTP_PORT)),
                Map.entry("countersign.gitlab.url", "http://127.0.0.1:" + GITLAB_PORT),
                Map.entry("countersign.gitlab.token", PlaygroundWorld.BOT_TOKEN),
                Map.entry("countersign.webhook.secret", "playground-webhook-secret"),
                Map.entry("countersign.projects", PlaygroundWorld.PROJECT_PATH),
                Map.entry("countersign.reminder.check-interval", "1s"),
                // as the %dev profile: log in with the simulated GitLab, notes linking to the ticket pages
                Map.entry("countersign.oidc.client-id", "playground-countersign"),
                Map.entry("countersign.oidc.client-secret", "playground-countersign-secret-not-for-production"),
                Map.entry("countersign.public-url", "http://127.0.0.1:" + HTTP_PORT),
                Map.entry("quarkus.datasource.jdbc.url", TestDatabase.jdbcUrl(TestDatabase.NAME + "_playground")),
                Map.entry("quarkus.datasource.username", TestDatabase.user()));
    }

    @Override
    public boolean disableGlobalTestResources() {
        return true;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
