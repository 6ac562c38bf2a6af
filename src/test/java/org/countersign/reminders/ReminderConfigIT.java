package org.countersign.reminders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.countersign.e2e.TestDatabase;
import org.junit.jupiter.api.Test;

/** The packaged application refuses a bad COUNTERSIGN_REMINDER_AFTER at start, naming it, before touching the database. */
class ReminderConfigIT {

    @Test
    void badReminderPeriodStopsStartupNamingTheVariable() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                Path.of("target", "quarkus-app", "quarkus-run.jar").toString()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("COUNTERSIGN_") || k.startsWith("QUARKUS_"));
        pb.environment().put("COUNTERSIGN_GITLAB_URL", "http://127.0.0.1:9");
        pb.environment().put("COUNTERSIGN_GITLAB_TOKEN", "x");
        pb.environment().put("COUNTERSIGN_WEBHOOK_SECRET", "x");
        pb.environment().put("COUNTERSIGN_PROJECTS", "1");
        pb.environment().put("COUNTERSIGN_REMINDER_AFTER", "tomorrow");
        pb.environment().put("QUARKUS_HTTP_PORT", "0");
        pb.environment().put("QUARKUS_DATASOURCE_JDBC_URL", TestDatabase.jdbcUrl(TestDatabase.NAME + "_never_created"));
        Process p = pb.start();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "it stops by itself");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("COUNTERSIGN_REMINDER_AFTER (countersign.reminder.after) is invalid: 'tomorrow'"), out);
        assertFalse(out.contains("Flyway") || out.contains("FlywayExecutor"), "refused before the database: " + out);
    }
}
