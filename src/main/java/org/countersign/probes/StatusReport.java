package org.countersign.probes;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.countersign.store.ProbeStore;
import org.countersign.store.WatchedProject;
import org.countersign.store.WatchedProjects;

/**
 * What the public status page shows: every public check (state, last ping, next due, a 90-day uptime bar)
 * and every watched project (open probe tickets, tickets waiting in review). Never a ping key, a token or a
 * private check.
 */
@ApplicationScoped
public class StatusReport {

    public static final int DAYS = 90;

    /** One day of the uptime bar: {@code up}, {@code partial} (some downtime), {@code down} (all day), {@code none} (no data). */
    public record Day(String date, String state, double uptime) {
        public String title() {
            if (state.equals("none")) {
                return date + ": no data";
            }
            if (state.equals("up")) {
                return date + ": 100% up";
            }
            long hundredths = Math.round(uptime * 10_000); // cheaper than String.format, 90 times per check
            return date + ": " + hundredths / 100 + "." + (hundredths % 100 < 10 ? "0" : "") + hundredths % 100 + "% up";
        }
    }

    public record CheckLine(String slug, String name, String status, Instant lastPing, Instant nextDue, List<Day> days, double uptime) {
        private static final java.time.format.DateTimeFormatter SHOWN =
                java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

        public String lastPingText() {
            return lastPing == null ? "never" : SHOWN.format(lastPing);
        }

        public String nextDueText() {
            return nextDue == null ? null : SHOWN.format(nextDue);
        }

        /**
         * The bar, built here rather than by a template loop (90 × 1,000 iterations was most of the page's
         * cost): one span per day that had downtime, one span per run of days alike otherwise (all up, or no
         * data), its width that many days (class {@code dN}, styled by the page) and its tooltip the run's
         * dates — with 1,000 checks mostly up, a few kB instead of 90 spans each. Only dates, fixed state
         * names and numbers go in: nothing to escape.
         */
        public String barHtml() {
            StringBuilder b = new StringBuilder(256);
            int i = 0;
            while (i < days.size()) {
                Day first = days.get(i);
                int j = i + 1;
                if (first.state().equals("up") || first.state().equals("none")) {
                    while (j < days.size() && days.get(j).state().equals(first.state())) {
                        j++;
                    }
                }
                int run = j - i;
                b.append("<span class=\"").append(first.state());
                if (run > 1) {
                    b.append(" d").append(run);
                }
                b.append("\" title=\"");
                if (run == 1) {
                    b.append(first.title());
                } else {
                    b.append(first.date()).append(" to ").append(days.get(j - 1).date())
                            .append(first.state().equals("up") ? ": 100% up" : ": no data");
                }
                b.append("\"></span>");
                i = j;
            }
            return b.toString();
        }

        public String uptimeText() {
            return Double.isNaN(uptime) ? "no data" : String.format(java.util.Locale.ROOT, "%.2f%%", uptime * 100);
        }
    }

    public record ProjectLine(String path, long openProbeTickets, long awaitingReview) {
    }

    public record Report(Instant generatedAt, List<CheckLine> checks, List<ProjectLine> projects) {
        public String overall() {
            return checks.stream().anyMatch(c -> c.status().equals("down")) ? "down"
                    : checks.stream().anyMatch(c -> c.status().equals("late")) ? "late" : "up";
        }
    }

    private final ProbeStore store;
    private final WatchedProjects projects;
    private final Clock clock;

    public StatusReport(ProbeStore store, WatchedProjects projects, Clock clock) {
        this.store = store;
        this.projects = projects;
        this.clock = clock;
    }

    public Report report() {
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        Instant windowStart = today.minusDays(DAYS - 1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Map<Long, List<ProbeStore.StoredTransition>> downs = new HashMap<>();
        for (ProbeStore.StoredTransition t : store.downTransitionsSince(windowStart)) {
            downs.computeIfAbsent(t.checkId(), k -> new ArrayList<>()).add(t);
        }
        Map<Long, Instant> firstPings = store.firstPings();
        List<CheckLine> lines = new ArrayList<>();
        for (StoredCheck c : store.all()) {
            if (!c.spec().isPublic()) {
                continue;
            }
            Instant dataFrom = dataFrom(c.state(), firstPings.get(c.id()));
            List<Day> days = days(today, dataFrom, downIntervals(downs.getOrDefault(c.id(), List.of()), now), now);
            lines.add(new CheckLine(c.spec().slug(), c.spec().name(), c.state().status().key(), c.state().lastPingAt(), c.nextDue(),
                    days, uptime(days)));
        }
        Map<Long, Long> open = store.openTicketsPerProject();
        Map<Long, Long> review = store.awaitingReviewPerProject();
        List<ProjectLine> ps = new ArrayList<>();
        for (WatchedProject p : projects.all()) {
            ps.add(new ProjectLine(p.path(), open.getOrDefault(p.projectId(), 0L), review.getOrDefault(p.projectId(), 0L)));
        }
        return new Report(now, lines, ps);
    }

    /**
     * Where a check's data starts: its first ping (its transition out of NEW), null while it was never pinged
     * (a new check has no data, not a green bar); its creation if that transition is not known.
     */
    static Instant dataFrom(CheckState s, Instant firstPing) {
        if (s.status() == CheckStatus.NEW) {
            return null;
        }
        return firstPing != null ? firstPing : s.createdAt();
    }

    /** Mean uptime of the days with data; NaN ("no data") when there is none. */
    static double uptime(List<Day> days) {
        double up = 0;
        int counted = 0;
        for (Day d : days) {
            if (!d.state().equals("none")) {
                up += d.uptime();
                counted++;
            }
        }
        return counted == 0 ? Double.NaN : up / counted;
    }

    /** [start, end) intervals the check was down, from its transitions into and out of DOWN (oldest first). */
    static List<Instant[]> downIntervals(List<ProbeStore.StoredTransition> ts, Instant now) {
        List<Instant[]> out = new ArrayList<>();
        Instant since = null;
        for (ProbeStore.StoredTransition t : ts) {
            if (t.to().equals("down") && since == null) {
                since = t.at();
            } else if (!t.to().equals("down") && t.from().equals("down") && since != null) {
                out.add(new Instant[] {since, t.at()});
                since = null;
            }
        }
        if (since != null) {
            out.add(new Instant[] {since, now});
        }
        return out;
    }

    /** The 90 days up to today; before {@code dataFrom} (all of them when it is null: never pinged) there is no data. */
    static List<Day> days(LocalDate today, Instant dataFrom, List<Instant[]> down, Instant now) {
        List<Day> days = new ArrayList<>(DAYS);
        for (int i = DAYS - 1; i >= 0; i--) {
            LocalDate date = today.minusDays(i);
            Instant start = date.atStartOfDay(ZoneOffset.UTC).toInstant();
            Instant end = i == 0 ? now : start.plus(Duration.ofDays(1));
            Instant createdAt = dataFrom;
            if (createdAt == null || !end.isAfter(createdAt)) {
                days.add(new Day(date.toString(), "none", 0));
                continue;
            }
            Instant from = createdAt.isAfter(start) ? createdAt : start;
            long total = Math.max(1, Duration.between(from, end).toMillis());
            long downMs = 0;
            for (Instant[] iv : down) {
                Instant a = iv[0].isAfter(from) ? iv[0] : from;
                Instant b = iv[1].isBefore(end) ? iv[1] : end;
                if (b.isAfter(a)) {
                    downMs += Duration.between(a, b).toMillis();
                }
            }
            double uptime = Math.max(0, 1 - (double) downMs / total);
            days.add(new Day(date.toString(), downMs == 0 ? "up" : downMs >= total ? "down" : "partial", uptime));
        }
        return days;
    }
}
