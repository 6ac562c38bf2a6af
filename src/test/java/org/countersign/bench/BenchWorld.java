package org.countersign.bench;

import java.util.HashMap;
import java.util.Map;
import org.countersign.e2e.GitLabWorld;
import org.countersign.e2e.TestDatabase;

/**
 * {@link GitLabWorld} on its own database ({@code countersign_bench}), so a benchmark run never drops
 * the database of a test run going on at the same time on the same PostgreSQL (e.g. another work tree).
 *
 * <p>The simulator's JDK {@code HttpServer} runs with {@code TCP_NODELAY}
 * ({@code sun.net.httpserver.nodelay}, also set by the {@code bench} Maven profile): without it the
 * server writes headers and body separately and Nagle's algorithm meets the client's delayed ACK,
 * adding about 40 ms to every GitLab API call, an artefact of the simulator that real GitLab
 * (behind nginx) does not have.
 */
public class BenchWorld extends GitLabWorld {

    static final String DATABASE = "countersign_bench";

    @Override
    protected void prepareDatabase() {
        TestDatabase.recreate(DATABASE);
    }

    @Override
    public Map<String, String> start() {
        System.setProperty("sun.net.httpserver.nodelay", System.getProperty("sun.net.httpserver.nodelay", "true"));
        Map<String, String> config = new HashMap<>(super.start());
        config.put("quarkus.datasource.jdbc.url", TestDatabase.jdbcUrl(DATABASE));
        return config;
    }
}
