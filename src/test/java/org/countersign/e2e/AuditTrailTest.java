package org.countersign.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.countersign.store.AuditLog;
import org.countersign.store.AuditRecord;
import org.junit.jupiter.api.Test;

/** Every decision and action lands in an audit trail that the database itself keeps append-only. */
@QuarkusTest
@QuarkusTestResource(GitLabWorld.class)
class AuditTrailTest extends E2eSupport {

    @Inject
    AuditLog audit;

    @Test
    void decisionsActionsAndSignoffsAreRecorded() throws Exception {
        long iid = newTicket("Replace failing disk in backup server");
        sim.close(world.carol, project, iid);
        awaitIssue(iid, i -> !i.isClosed());
        toReview(world.bob, iid);
        sim.comment(world.dave, project, iid, "/signoff SMART values clean, RAID rebuilt");
        awaitBotNote(iid, b -> b.contains("Sign-off by @dave recorded"));
        settle();

        List<AuditRecord> trail = audit.forTicket(project.id(), iid);
        AuditRecord rejected = trail.stream().filter(a -> a.kind().equals("DECISION") && a.outcome().equals("CLOSE_REJECTED"))
                .findFirst().orElseThrow(() -> new AssertionError(trail.toString()));
        assertEquals("carol", rejected.actor());
        // whichever saw the close first: the webhook delivery or a reconciliation pass
        assertTrue(rejected.trigger().startsWith("delivery:") || rejected.trigger().equals("reconcile"), rejected.trigger());
        assertTrue(rejected.gitlabRef().startsWith("close:"), rejected.gitlabRef());
        assertEquals("CLOSE_REJECTED", new ObjectMapper().readTree(rejected.details()).path("verdict").asText(), rejected.details());
        assertTrue(trail.stream().anyMatch(a -> a.kind().equals("ACTION") && a.outcome().equals("DONE")
                && a.gitlabRef().startsWith("reopen:")), trail.toString());
        assertTrue(trail.stream().anyMatch(a -> a.kind().equals("ACTION") && a.outcome().equals("DONE")
                && a.gitlabRef().startsWith("close-rejected:")), trail.toString());
        AuditRecord signoff = trail.stream().filter(a -> a.kind().equals("SIGNOFF")).findFirst().orElseThrow();
        assertEquals("dave", signoff.actor());
        assertEquals("ACCEPTED", signoff.outcome());
        assertTrue(signoff.gitlabRef().startsWith("note:"));
        assertFalse(trail.stream().anyMatch(a -> a.outcome().equals("DEAD")));
    }

    @Test
    void theDatabaseRefusesToRewriteHistory() throws SQLException {
        newTicket("Anything");
        settle();
        try (Connection c = DriverManager.getConnection(TestDatabase.jdbcUrl(TestDatabase.NAME), TestDatabase.user(), "");
             Statement s = c.createStatement()) {
            assertThrows(SQLException.class, () -> s.executeUpdate("UPDATE audit_entry SET summary = 'nothing happened'"));
            assertThrows(SQLException.class, () -> s.executeUpdate("DELETE FROM audit_entry"));
            assertThrows(SQLException.class, () -> s.executeUpdate("TRUNCATE audit_entry"));
        }
    }
}
