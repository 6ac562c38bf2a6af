package org.countersign.e2e;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Map;

/**
 * Puts a {@link DatabaseProxy} between the service and the test database that {@link GitLabWorld}
 * prepares (same database, same simulated GitLab): declare it with {@code restrictToAnnotatedClass =
 * true} next to GitLabWorld. It starts after GitLabWorld ({@link #order()}), so its datasource URL is
 * the one the service gets.
 */
public class OutageWorld implements QuarkusTestResourceLifecycleManager {

    private static volatile DatabaseProxy proxy;

    public static DatabaseProxy database() {
        return proxy;
    }

    @Override
    public Map<String, String> start() {
        URI server = URI.create(TestDatabase.serverUrl().substring("jdbc:".length()));
        try {
            proxy = new DatabaseProxy(server.getHost(), server.getPort() < 0 ? 5432 : server.getPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + TestDatabase.NAME);
    }

    @Override
    public int order() {
        return 1;
    }

    @Override
    public void stop() {
        try {
            if (proxy != null) {
                proxy.close();
            }
        } catch (IOException ignored) {
            // the test is over
        }
    }
}
