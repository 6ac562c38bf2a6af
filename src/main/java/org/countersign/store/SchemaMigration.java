package org.countersign.store;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.countersign.config.Settings;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

/**
 * Brings the schema up to date at start-up, once the configuration is known to be valid: Quarkus'
 * {@code migrate-at-start} would run Flyway before any application code, so that a misconfigured
 * service would first try (and, with the database down too, fail) to reach PostgreSQL and report that
 * with a stack trace instead of the list of offending variables. This observer runs before every other
 * start-up observer (nothing else touches the database earlier; the HTTP port opens after them).
 */
@ApplicationScoped
public class SchemaMigration {

    private static final Logger LOG = Logger.getLogger(SchemaMigration.class);

    void migrate(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent ev, Settings settings, Flyway flyway) {
        // Settings validates the configuration when it is created: an invalid one stops the start here,
        // naming the variables, without a stack trace and before any connection to the database.
        settings.projects();
        var result = flyway.migrate();
        if (result.migrationsExecuted > 0) {
            LOG.infof("database schema migrated to version %s", result.targetSchemaVersion);
        }
    }
}
