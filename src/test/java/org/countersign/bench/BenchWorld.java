package org.countersign.bench;

import java.util.HashMap;
import java.util.Map;
import org.countersign.e2e.GitLabWorld;
import org.countersign.e2e.TestDatabase;

/**
 * {@link GitLabWorld} on its own database ({@code countersign_bench}, or {@code <COUNTERSIGN_TEST_PG_DB>_bench}
 * when that is set), so a benchmark run never drops the database of a test run going on at the same time
 * on the same PostgreSQL, nor that of a benchmark run in another work tree that set its own name.
 *
 * <p>The simulator's JDK {@code HttpServer} runs with {@code TCP_NODELAY} (see GitLabSimulator; the
 * {@code bench} profile can turn it off with {@code -Dbench.sim.nodelay=false} to show its effect).
 */
public class BenchWorld extends GitLabWorld {

    static final String DATABASE = System.getenv("COUNTERSIGN_TEST_PG_DB") == null
            || System.getenv("COUNTERSIGN_TEST_PG_DB").isBlank() ? "countersign_bench"
            : System.getenv("COUNTERSIGN_TEST_PG_DB").strip() + "_bench";

    @Override
    protected void prepareDatabase() {
        TestDatabase.recreate(DATABASE);
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        config.put("quarkus.datasource.jdbc.url", TestDatabase.jdbcUrl(DATABASE));
        return config;
    }
}
