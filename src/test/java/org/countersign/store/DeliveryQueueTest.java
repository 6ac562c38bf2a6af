package org.countersign.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The intake's group insert against the real PostgreSQL: a batch split over the fixed-size multi-row
 * statements keeps its order, tells duplicates apart (within the batch and of stored deliveries), and
 * stores each column as given. The deliveries are about a project nobody watches, due in an hour (but the
 * urgent one), so the workers leave them alone.
 */
@QuarkusTest
class DeliveryQueueTest {

    private static final long PROJECT = 987_654_321L;

    @Inject
    DeliveryQueue deliveries;

    @Inject
    DataSource dataSource;

    @AfterEach
    void cleanUp() throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("DELETE FROM delivery WHERE project_id = ?")) {
            s.setLong(1, PROJECT);
            s.executeUpdate();
        }
    }

    @Test
    void aBatchOfAnySizeIsStoredInOrderWithItsDuplicatesToldApart() throws Exception {
        String run = UUID.randomUUID().toString();
        String stored = "idem:" + run + "-stored-before";
        long[] before = deliveries.enqueueAll(List.of(delivery(stored, 1, false)), Duration.ofHours(1));
        assertEquals(1, before.length);
        assertTrue(before[0] > 0);

        // 37 = 32 + 4 + 1 rows: three statements of the fixed sizes
        List<DeliveryQueue.NewDelivery> batch = new ArrayList<>();
        for (int i = 0; i < 35; i++) {
            batch.add(delivery("idem:" + run + "-" + i, 100 + i, i == 7));
        }
        batch.add(delivery("idem:" + run + "-5", 999, false)); // repeats the 6th of this batch
        batch.add(delivery(stored, 998, false)); // repeats one stored before
        long[] ids = deliveries.enqueueAll(batch, Duration.ofHours(1));

        assertEquals(37, ids.length);
        for (int i = 0; i < 35; i++) {
            assertTrue(ids[i] > before[0], "stored: " + i);
            if (i > 0) {
                assertTrue(ids[i] > ids[i - 1], "ids follow the batch's order: " + i);
            }
        }
        assertEquals(-1, ids[35], "a duplicate within the batch");
        assertEquals(-1, ids[36], "a duplicate of a stored delivery");

        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT id, dedupe_key, event_name, event_uuid, issue_iid, actor_id, payload, "
                     + "status, next_attempt_at = received_at, next_attempt_at - received_at = interval '1 hour' "
                     + "FROM delivery WHERE project_id = ? ORDER BY id")) {
            s.setLong(1, PROJECT);
            try (ResultSet r = s.executeQuery()) {
                List<String> rows = new ArrayList<>();
                while (r.next()) {
                    long iid = r.getLong("issue_iid");
                    rows.add(r.getString("dedupe_key"));
                    assertEquals("Issue Hook", r.getString("event_name"));
                    assertEquals("uuid-" + iid, r.getString("event_uuid"));
                    assertEquals(iid + 1, r.getLong("actor_id"));
                    assertEquals(payload(iid), r.getString("payload"));
                    boolean urgent = iid == 107;
                    if (r.getString("status").equals("PENDING") || !urgent) { // the urgent one may already be worked off
                        assertEquals(urgent, r.getBoolean(9), "urgent: due at once; " + iid);
                        assertEquals(!urgent, r.getBoolean(10), "due after the coalescing window; " + iid);
                    }
                }
                assertEquals(36, rows.size(), rows.toString());
                assertEquals(stored, rows.get(0));
                assertEquals("idem:" + run + "-34", rows.get(35));
            }
        }
    }

    private static DeliveryQueue.NewDelivery delivery(String key, long iid, boolean urgent) {
        return new DeliveryQueue.NewDelivery(key, "Issue Hook", "uuid-" + iid, PROJECT, iid, iid + 1, payload(iid), urgent);
    }

    /** With quotes and backslashes: stored as sent, no escaping on the way. */
    private static String payload(long iid) {
        return "{\"object_kind\":\"issue\",\"say\":\"a \\\"quoted\\\" \\\\ text " + iid + "\"}";
    }
}
