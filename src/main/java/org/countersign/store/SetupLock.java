package org.countersign.store;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * One GitLab set-up at a time across every instance and command: a PostgreSQL session advisory lock held on
 * its own connection while the set-up runs, so that two runs started together (two admins, a command next to
 * {@code POST /admin/setup}) cannot both create the project's webhook. Should the database be unreachable, the
 * set-up runs without the lock (a person is waiting for it; a duplicate would be reported by the next run).
 */
@ApplicationScoped
public class SetupLock {

    private static final Logger LOG = Logger.getLogger(SetupLock.class);
    /** The advisory lock key: "setup" in ASCII, distinct from the per-ticket locks (which use two int keys). */
    static final long KEY = 0x7365747570L;

    private final DataSource dataSource;

    public SetupLock(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public <T> T exclusively(Supplier<T> work) {
        Connection c;
        try {
            c = dataSource.getConnection();
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_lock(" + KEY + ")");
            }
        } catch (SQLException e) {
            LOG.warnf("setup runs without its lock (database unavailable: %s)", e.getMessage());
            return work.get();
        }
        try {
            return work.get();
        } finally {
            try (c; Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_unlock(" + KEY + ")");
            } catch (SQLException e) {
                LOG.debugf("advisory unlock failed (the lock ends with the session): %s", e.getMessage());
            }
        }
    }
}
