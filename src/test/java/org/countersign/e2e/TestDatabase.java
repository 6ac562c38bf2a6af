package org.countersign.e2e;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The local PostgreSQL used by tests (127.0.0.1:5432, trust auth, as on the CI machines; override with
 * COUNTERSIGN_TEST_PG_URL / COUNTERSIGN_TEST_PG_USER). Each test application starts on a freshly
 * created database, so runs never see each other's rows. Two checkouts testing at the same time on one
 * server must use different databases: set COUNTERSIGN_TEST_PG_DB in one of them.
 */
public final class TestDatabase {
    public static final String NAME = env("COUNTERSIGN_TEST_PG_DB", "countersign_test");

    private TestDatabase() {
    }

    public static String serverUrl() {
        return env("COUNTERSIGN_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/");
    }

    public static String user() {
        return env("COUNTERSIGN_TEST_PG_USER", "postgres");
    }

    public static String jdbcUrl(String database) {
        return serverUrl() + database;
    }

    /** Drops and creates {@code database}. */
    public static void recreate(String database) {
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), user(), "");
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            throw new IllegalStateException("Tests need PostgreSQL at " + serverUrl() + " (user " + user()
                    + ", trust auth); start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start", e);
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
