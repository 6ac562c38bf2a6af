package org.countersign.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.countersign.store.ProbeStore;
import org.junit.jupiter.api.Test;

class StatusReportTest {

    static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

    private static ProbeStore.StoredTransition t(String at, String from, String to) {
        return new ProbeStore.StoredTransition(0, 1, Instant.parse(at), from, to, "X", "");
    }

    @Test
    void ninetyDaysFromTransitions() {
        List<Instant[]> down = StatusReport.downIntervals(List.of(
                t("2026-11-20T06:00:00Z", "up", "down"),
                t("2026-11-20T18:00:00Z", "down", "up"),
                t("2026-11-24T00:00:00Z", "late", "down"),
                t("2026-11-25T00:00:00Z", "down", "started"),
                t("2026-11-26T11:00:00Z", "up", "down")), NOW);
        assertEquals(3, down.size());
        List<StatusReport.Day> days = StatusReport.days(LocalDate.of(2026, 11, 26), Instant.parse("2026-11-10T12:00:00Z"), down, NOW);
        assertEquals(90, days.size());
        assertEquals("none", days.get(0).state(), "before the check existed");
        StatusReport.Day nov20 = days.get(89 - 6);
        assertEquals("2026-11-20", nov20.date());
        assertEquals("partial", nov20.state());
        assertEquals(0.5, nov20.uptime(), 1e-9);
        assertEquals("down", days.get(89 - 2).state(), "all of 24 Nov");
        assertEquals("up", days.get(89 - 1).state());
        StatusReport.Day today = days.get(89);
        assertEquals("partial", today.state());
        assertEquals(11.0 / 12, today.uptime(), 1e-9, "today counts up to now");
        assertEquals("2026-11-10", days.get(89 - 16).date());
        assertEquals("up", days.get(89 - 16).state(), "the day it was created counts from its creation");
        assertEquals("none", days.get(89 - 17).state());
    }

    @Test
    void aNeverPingedCheckHasNoDataUntilItsFirstPing() {
        Instant created = Instant.parse("2026-11-01T09:00:00Z");
        CheckState fresh = CheckState.fresh(created);
        assertEquals(CheckStatus.NEW, fresh.status());
        assertNull(StatusReport.dataFrom(fresh, null), "never pinged: no data at all");
        List<StatusReport.Day> none = StatusReport.days(LocalDate.of(2026, 11, 26), StatusReport.dataFrom(fresh, null), List.of(), NOW);
        assertEquals(90, none.size());
        assertTrue(none.stream().allMatch(d -> d.state().equals("none")), "no green day for a check never pinged");
        assertTrue(Double.isNaN(StatusReport.uptime(none)), "and no 100% uptime");
        StatusReport.CheckLine line = new StatusReport.CheckLine("n", "N", "new", null, null, none, StatusReport.uptime(none));
        assertEquals("no data", line.uptimeText());
        assertEquals("<span class=\"none d90\" title=\"2026-08-29 to 2026-11-26: no data\"></span>", line.barHtml());

        // first pinged on 20 Nov at noon (a success): data from then on, not from its creation on 1 Nov
        Instant first = Instant.parse("2026-11-20T12:00:00Z");
        CheckState up = new CheckState(CheckStatus.UP, created, first, null, null);
        assertEquals(first, StatusReport.dataFrom(up, first));
        List<StatusReport.Day> days = StatusReport.days(LocalDate.of(2026, 11, 26), StatusReport.dataFrom(up, first), List.of(), NOW);
        assertEquals("none", days.get(89 - 7).state(), "19 Nov: created but not pinged yet");
        assertEquals("2026-11-20", days.get(89 - 6).date());
        assertEquals("up", days.get(89 - 6).state());
        assertEquals(1.0, StatusReport.uptime(days), 1e-9);
        assertEquals(7, days.stream().filter(d -> !d.state().equals("none")).count());
        // a pinged check whose first transition is not known counts from its creation
        assertEquals(created, StatusReport.dataFrom(up, null));
    }
}
