package org.countersign.store;

import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.countersign.probes.CheckSpec;
import org.countersign.probes.CheckState;
import org.countersign.probes.CheckStatus;
import org.countersign.probes.ProbeRules;
import org.countersign.probes.Schedule;
import org.countersign.probes.StoredCheck;

/**
 * The probes' tables ({@code V7_1__probes.sql}): checks and their state, pings, transitions, the tickets
 * they opened. Rules live in {@code probes/ProbeRules}; this class only reads and writes, except the sweep,
 * which applies the rule to every due check in one statement.
 */
@ApplicationScoped
public class ProbeStore {

    static final String COLUMNS = "id, slug, name, CAST(ping_key AS text), source, period_seconds, cron, timezone, grace_seconds, "
            + "min_duration_seconds, project, owners, is_public, status, created_at, last_ping_at, last_start_at, down_since, "
            + "late_at, down_at, rate_tokens, rate_at";

    /** A transition the sweep made; {@code downAt}/{@code lateAt}: the deadlines it passed. */
    public record Swept(long checkId, long transitionId, CheckStatus to) {
    }

    /** A transition as stored (for the uptime bar and the alerts). */
    public record StoredTransition(long id, long checkId, Instant at, String from, String to, String cause, String detail) {
    }

    /** A ping as stored. */
    public record StoredPing(Instant receivedAt, String kind, Integer exitStatus, Long durationMs, String body) {
    }

    /** An open probe ticket. */
    public record OpenTicket(long id, long checkId, long projectId, long iid, Instant openedAt) {
    }

    /**
     * Makes the stored file checks the ones of the file: inserts new ones, updates changed ones (keeping
     * their state, and their ping key when the file gives none), deletes the file checks no longer in it.
     * Race-free with several instances starting at once ({@code ON CONFLICT}).
     */
    @Transactional
    public void syncFileChecks(List<org.countersign.probes.ChecksFile.Declared> declared, Instant now) {
        List<CheckSpec> specs = declared.stream().map(org.countersign.probes.ChecksFile.Declared::spec).toList();
        List<String> slugs = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            CheckSpec s = specs.get(i);
            slugs.add(s.slug());
            if (declared.get(i).keyGiven()) {
                Optional<String> holder = keyHolder(s.pingKey(), s.slug());
                if (holder.isPresent()) {
                    throw new org.countersign.probes.ChecksFileException(List.of("COUNTERSIGN_CHECKS_FILE: check '" + s.slug()
                            + "': key 'ping-key': " + s.pingKey() + " is already the ping key of check '" + holder.get()
                            + "' (added through the API): give this check another key, or delete that check (DELETE /api/checks/"
                            + holder.get() + ")"));
                }
            }
            bind(em().createNativeQuery("INSERT INTO probe_check (slug, name, ping_key, source, period_seconds, cron, timezone, "
                    + "grace_seconds, min_duration_seconds, project, owners, is_public, created_at) VALUES (:slug, :name, CAST(:key AS uuid), "
                    + "'file', :period, :cron, :tz, :grace, :min, :project, :owners, :public, :now) ON CONFLICT (slug) DO UPDATE SET "
                    + "name = EXCLUDED.name, source = 'file', period_seconds = EXCLUDED.period_seconds, cron = EXCLUDED.cron, "
                    + "timezone = EXCLUDED.timezone, grace_seconds = EXCLUDED.grace_seconds, "
                    + "min_duration_seconds = EXCLUDED.min_duration_seconds, project = EXCLUDED.project, owners = EXCLUDED.owners, "
                    + "is_public = EXCLUDED.is_public" + (declared.get(i).keyGiven() ? ", ping_key = EXCLUDED.ping_key" : "")), s)
                    .setParameter("now", now).executeUpdate();
        }
        em().createNativeQuery("DELETE FROM probe_check WHERE source = 'file' AND NOT (slug = ANY(CAST(:slugs AS text[])))")
                .setParameter("slugs", slugs.toArray(new String[0])).executeUpdate();
        // a changed schedule moves the deadlines: recomputed from the stored times
        for (StoredCheck c : all()) {
            ProbeRules.Deadlines d = ProbeRules.deadlines(c.spec(), c.state());
            em().createNativeQuery("UPDATE probe_check SET late_at = :late, down_at = :down WHERE id = :id")
                    .setParameter("late", d.lateAt()).setParameter("down", d.downAt()).setParameter("id", c.id()).executeUpdate();
        }
    }

    /** Adds a check declared through the API; false when its slug or ping key is taken. */
    @Transactional
    public boolean create(CheckSpec s, Instant now) {
        return bind(em().createNativeQuery("INSERT INTO probe_check (slug, name, ping_key, source, period_seconds, cron, timezone, "
                + "grace_seconds, min_duration_seconds, project, owners, is_public, created_at) VALUES (:slug, :name, CAST(:key AS uuid), "
                + "'api', :period, :cron, :tz, :grace, :min, :project, :owners, :public, :now) ON CONFLICT DO NOTHING"), s)
                .setParameter("now", now).executeUpdate() == 1;
    }

    /** The slug of the check other than {@code slug} whose ping key is {@code key}, if any. */
    @Transactional
    @SuppressWarnings("unchecked")
    public Optional<String> keyHolder(java.util.UUID key, String slug) {
        List<String> rows = em().createNativeQuery("SELECT slug FROM probe_check WHERE ping_key = CAST(:key AS uuid) AND slug <> :slug")
                .setParameter("key", key.toString()).setParameter("slug", slug).getResultList();
        return rows.stream().findFirst();
    }

    @Transactional
    public boolean delete(String slug) {
        return em().createNativeQuery("DELETE FROM probe_check WHERE slug = :slug").setParameter("slug", slug).executeUpdate() == 1;
    }

    @Transactional
    @SuppressWarnings("unchecked")
    public List<StoredCheck> all() {
        List<Object[]> rows = em().createNativeQuery("SELECT " + COLUMNS + " FROM probe_check ORDER BY slug").getResultList();
        return rows.stream().map(ProbeStore::check).toList();
    }

    @Transactional
    @SuppressWarnings("unchecked")
    public Optional<StoredCheck> find(String slug) {
        List<Object[]> rows = em().createNativeQuery("SELECT " + COLUMNS + " FROM probe_check WHERE slug = :slug")
                .setParameter("slug", slug).getResultList();
        return rows.stream().map(ProbeStore::check).findFirst();
    }

    @Transactional
    @SuppressWarnings("unchecked")
    public Optional<StoredCheck> find(long id) {
        List<Object[]> rows = em().createNativeQuery("SELECT " + COLUMNS + " FROM probe_check WHERE id = :id")
                .setParameter("id", id).getResultList();
        return rows.stream().map(ProbeStore::check).findFirst();
    }

    /** The check of {@code key}, locked until the caller's transaction ends (pings of one key are serialized). */
    @Transactional(Transactional.TxType.MANDATORY)
    @SuppressWarnings("unchecked")
    public Optional<StoredCheck> lockByKey(UUID key) {
        List<Object[]> rows = em().createNativeQuery("SELECT " + COLUMNS + " FROM probe_check WHERE ping_key = CAST(:key AS uuid) FOR UPDATE")
                .setParameter("key", key.toString()).getResultList();
        return rows.stream().map(ProbeStore::check).findFirst();
    }

    /** Only the rate-limit bucket changes (a ping refused with 429). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void saveRate(long id, double tokens, Instant at) {
        em().createNativeQuery("UPDATE probe_check SET rate_tokens = :t, rate_at = :at WHERE id = :id")
                .setParameter("t", tokens).setParameter("at", at).setParameter("id", id).executeUpdate();
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void saveState(long id, CheckState s, ProbeRules.Deadlines d, double tokens, Instant rateAt) {
        em().createNativeQuery("UPDATE probe_check SET status = :status, last_ping_at = :ping, last_start_at = :start, "
                        + "down_since = :down, late_at = :lateAt, down_at = :downAt, rate_tokens = :t, rate_at = :rateAt WHERE id = :id")
                .setParameter("status", s.status().key()).setParameter("ping", s.lastPingAt()).setParameter("start", s.lastStartAt())
                .setParameter("down", s.downSince()).setParameter("lateAt", d.lateAt()).setParameter("downAt", d.downAt())
                .setParameter("t", tokens).setParameter("rateAt", rateAt).setParameter("id", id).executeUpdate();
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void insertPing(long checkId, Instant at, String kind, Integer exitStatus, Long durationMs, String body) {
        em().createNativeQuery("INSERT INTO probe_ping (check_id, received_at, kind, exit_status, duration_ms, body) "
                        + "VALUES (:c, :at, :kind, CAST(:exit AS int), CAST(:dur AS bigint), :body)")
                .setParameter("c", checkId).setParameter("at", at).setParameter("kind", kind).setParameter("exit", exitStatus)
                .setParameter("dur", durationMs).setParameter("body", body).executeUpdate();
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public long insertTransition(long checkId, Instant at, ProbeRules.Transition t) {
        return ((Number) em().createNativeQuery("INSERT INTO probe_transition (check_id, at, from_status, to_status, cause, detail) "
                        + "VALUES (:c, :at, :from, :to, :cause, :detail) RETURNING id")
                .setParameter("c", checkId).setParameter("at", at).setParameter("from", t.from().key())
                .setParameter("to", t.to().key()).setParameter("cause", t.cause().name()).setParameter("detail", t.detail())
                .getSingleResult()).longValue();
    }

    /**
     * Applies the lateness rule of {@code ProbeRules#sweep} to every due check at {@code now}, at most
     * {@code max} per statement: UP past {@code late_at} becomes LATE; UP, LATE or STARTED past
     * {@code down_at} becomes DOWN (missed, or a start without end). Each change is made once whatever the
     * instances sweeping at the same time: the rows are locked ({@code SKIP LOCKED}: a row a ping holds is
     * left for the next sweep) and their state re-checked under the lock. The transitions are recorded in
     * the same statement; the caller queues the alerts in the same transaction.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    @SuppressWarnings("unchecked")
    public List<Swept> sweep(Instant now, int max) {
        List<Swept> result = new ArrayList<>();
        List<Object[]> down = em().createNativeQuery("WITH due AS (SELECT id, status, late_at, down_at, last_start_at FROM probe_check "
                        + "WHERE status IN ('up', 'late', 'started') AND down_at <= :now ORDER BY down_at LIMIT :max FOR UPDATE SKIP LOCKED), "
                        + "upd AS (UPDATE probe_check c SET status = 'down', down_since = COALESCE(c.down_since, due.down_at), "
                        + "late_at = NULL, down_at = NULL FROM due WHERE c.id = due.id RETURNING c.id, due.status, due.late_at, due.down_at, "
                        + "due.last_start_at) "
                        + "INSERT INTO probe_transition (check_id, at, from_status, to_status, cause, detail) "
                        + "SELECT upd.id, :now, upd.status, 'down', CASE WHEN upd.status = 'started' THEN 'NO_END' ELSE 'MISSED' END, "
                        + "CASE WHEN upd.status = 'started' THEN 'started at ' || to_char(upd.last_start_at AT TIME ZONE 'UTC', "
                        + "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') || ' but no end ping by ' || to_char(upd.down_at AT TIME ZONE 'UTC', "
                        + "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') || ' (start + grace)' ELSE 'no ping by its due time ' "
                        + "|| to_char(upd.late_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') || ' nor within grace (until ' "
                        + "|| to_char(upd.down_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') || ')' END FROM upd "
                        + "RETURNING check_id, id")
                .setParameter("now", now).setParameter("max", max).getResultList();
        for (Object[] r : down) {
            result.add(new Swept(((Number) r[0]).longValue(), ((Number) r[1]).longValue(), CheckStatus.DOWN));
        }
        List<Object[]> late = em().createNativeQuery("WITH due AS (SELECT id, late_at FROM probe_check "
                        + "WHERE status = 'up' AND late_at <= :now ORDER BY late_at LIMIT :max FOR UPDATE SKIP LOCKED), "
                        + "upd AS (UPDATE probe_check c SET status = 'late' FROM due WHERE c.id = due.id RETURNING c.id, due.late_at) "
                        + "INSERT INTO probe_transition (check_id, at, from_status, to_status, cause, detail) "
                        + "SELECT upd.id, :now, 'up', 'late', 'LATE', 'no ping by its due time ' "
                        + "|| to_char(upd.late_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM upd RETURNING check_id, id")
                .setParameter("now", now).setParameter("max", max).getResultList();
        for (Object[] r : late) {
            result.add(new Swept(((Number) r[0]).longValue(), ((Number) r[1]).longValue(), CheckStatus.LATE));
        }
        return result;
    }

    @Transactional
    @SuppressWarnings("unchecked")
    public List<StoredTransition> transitions(long checkId) {
        List<Object[]> rows = em().createNativeQuery("SELECT id, check_id, at, from_status, to_status, cause, detail FROM probe_transition "
                + "WHERE check_id = :c ORDER BY id").setParameter("c", checkId).getResultList();
        return rows.stream().map(ProbeStore::transition).toList();
    }

    @Transactional
    @SuppressWarnings("unchecked")
    public Optional<StoredTransition> transition(long id) {
        List<Object[]> rows = em().createNativeQuery("SELECT id, check_id, at, from_status, to_status, cause, detail FROM probe_transition "
                + "WHERE id = :id").setParameter("id", id).getResultList();
        return rows.stream().map(ProbeStore::transition).findFirst();
    }

    /** When each pinged check got its first ping (its transition out of "new"); a never-pinged check is absent. */
    @Transactional
    @SuppressWarnings("unchecked")
    public java.util.Map<Long, Instant> firstPings() {
        List<Object[]> rows = em().createNativeQuery("SELECT check_id, min(at) FROM probe_transition WHERE from_status = 'new' "
                + "GROUP BY check_id").getResultList();
        java.util.Map<Long, Instant> out = new java.util.HashMap<>();
        for (Object[] r : rows) {
            out.put(((Number) r[0]).longValue(), WorkQueue.instant(r[1]));
        }
        return out;
    }

    /**
     * The transitions into or out of DOWN since {@code since} of the given checks, plus each check's last one
     * before it (the state the window starts in), ordered by check and time: the uptime bars in one read.
     */
    @Transactional
    @SuppressWarnings("unchecked")
    public List<StoredTransition> downTransitionsSince(Instant since) {
        List<Object[]> rows = em().createNativeQuery("SELECT id, check_id, at, from_status, to_status, cause, detail FROM ("
                + "SELECT t.*, row_number() OVER (PARTITION BY check_id ORDER BY at DESC, id DESC) AS rn FROM probe_transition t "
                + "WHERE at < :since AND (to_status = 'down' OR from_status = 'down')) b WHERE rn = 1 "
                + "UNION ALL SELECT id, check_id, at, from_status, to_status, cause, detail FROM probe_transition "
                + "WHERE at >= :since AND (to_status = 'down' OR from_status = 'down') ORDER BY 2, 3, 1")
                .setParameter("since", since).getResultList();
        return rows.stream().map(ProbeStore::transition).toList();
    }

    @Transactional
    @SuppressWarnings("unchecked")
    public Optional<StoredPing> lastRun(long checkId, Instant atOrBefore) {
        List<Object[]> rows = em().createNativeQuery("SELECT received_at, kind, exit_status, duration_ms, body FROM probe_ping "
                + "WHERE check_id = :c AND kind <> 'start' AND received_at <= :at ORDER BY id DESC LIMIT 1").setParameter("c", checkId)
                .setParameter("at", atOrBefore).getResultList();
        return rows.stream().map(r -> new StoredPing(WorkQueue.instant(r[0]), (String) r[1],
                r[2] == null ? null : ((Number) r[2]).intValue(), r[3] == null ? null : ((Number) r[3]).longValue(), (String) r[4]))
                .findFirst();
    }

    /** Deletes the pings older than {@code before} (transitions stay: they make the uptime bar). */
    @Transactional
    public int prunePings(Instant before) {
        return em().createNativeQuery("DELETE FROM probe_ping WHERE received_at < :before").setParameter("before", before).executeUpdate();
    }

    @Transactional(Transactional.TxType.MANDATORY)
    @SuppressWarnings("unchecked")
    public Optional<OpenTicket> openTicket(long checkId) {
        List<Object[]> rows = em().createNativeQuery("SELECT id, check_id, project_id, iid, opened_at FROM probe_ticket "
                + "WHERE check_id = :c AND closed_at IS NULL").setParameter("c", checkId).getResultList();
        return rows.stream().map(r -> new OpenTicket(((Number) r[0]).longValue(), ((Number) r[1]).longValue(),
                ((Number) r[2]).longValue(), ((Number) r[3]).longValue(), WorkQueue.instant(r[4]))).findFirst();
    }

    /** Records the ticket opened for the check; false if one is open already (the unique index says so). */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean ticketOpened(long checkId, long projectId, long iid, Instant at) {
        return em().createNativeQuery("INSERT INTO probe_ticket (check_id, project_id, iid, opened_at) VALUES (:c, :p, :i, :at) "
                        + "ON CONFLICT (check_id) WHERE closed_at IS NULL DO NOTHING")
                .setParameter("c", checkId).setParameter("p", projectId).setParameter("i", iid).setParameter("at", at)
                .executeUpdate() == 1;
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void ticketClosed(long ticketId, Instant at) {
        em().createNativeQuery("UPDATE probe_ticket SET closed_at = :at WHERE id = :id AND closed_at IS NULL")
                .setParameter("at", at).setParameter("id", ticketId).executeUpdate();
    }

    /** The probe tickets believed open, per project id. */
    @Transactional
    @SuppressWarnings("unchecked")
    public java.util.Map<Long, Long> openTicketsPerProject() {
        List<Object[]> rows = em().createNativeQuery("SELECT project_id, count(*) FROM probe_ticket WHERE closed_at IS NULL GROUP BY 1")
                .getResultList();
        java.util.Map<Long, Long> m = new java.util.HashMap<>();
        rows.forEach(r -> m.put(((Number) r[0]).longValue(), ((Number) r[1]).longValue()));
        return m;
    }

    /** Tickets waiting in review (open, in the review column, short of sign-offs), per project id. */
    @Transactional
    @SuppressWarnings("unchecked")
    public java.util.Map<Long, Long> awaitingReviewPerProject() {
        List<Object[]> rows = em().createNativeQuery("SELECT project_id, count(*) FROM ticket WHERE "
                        + WaitingTickets.awaitingSignoff("ticket") + " GROUP BY 1")
                .getResultList();
        java.util.Map<Long, Long> m = new java.util.HashMap<>();
        rows.forEach(r -> m.put(((Number) r[0]).longValue(), ((Number) r[1]).longValue()));
        return m;
    }

    private static jakarta.persistence.Query bind(jakarta.persistence.Query q, CheckSpec s) {
        Long period = null;
        String cron = null;
        String tz = null;
        if (s.schedule() instanceof Schedule.Period p) {
            period = p.period().getSeconds();
        } else if (s.schedule() instanceof Schedule.CronSchedule c) {
            cron = c.expression();
            tz = c.zone().getId();
        }
        return q.setParameter("slug", s.slug()).setParameter("name", s.name()).setParameter("key", s.pingKey().toString())
                .setParameter("period", period).setParameter("cron", cron).setParameter("tz", tz)
                .setParameter("grace", s.schedule().grace().getSeconds())
                .setParameter("min", s.minDuration().map(Duration::getSeconds).orElse(null))
                .setParameter("project", s.project().orElse(null)).setParameter("owners", String.join(",", s.owners()))
                .setParameter("public", s.isPublic());
    }

    private static StoredCheck check(Object[] r) {
        Duration grace = Duration.ofSeconds(((Number) r[8]).longValue());
        Schedule schedule = r[5] != null ? new Schedule.Period(Duration.ofSeconds(((Number) r[5]).longValue()), grace)
                : Schedule.CronSchedule.of((String) r[6], ZoneId.of((String) r[7]), grace);
        String owners = (String) r[11];
        CheckSpec spec = new CheckSpec((String) r[1], (String) r[2], UUID.fromString((String) r[3]), schedule,
                Optional.ofNullable(r[9]).map(o -> Duration.ofSeconds(((Number) o).longValue())), Optional.ofNullable((String) r[10]),
                owners.isEmpty() ? List.of() : Arrays.asList(owners.split(",")), (Boolean) r[12]);
        CheckState state = new CheckState(CheckStatus.of((String) r[13]), WorkQueue.instant(r[14]), WorkQueue.instant(r[15]),
                WorkQueue.instant(r[16]), WorkQueue.instant(r[17]));
        return new StoredCheck(((Number) r[0]).longValue(), spec, (String) r[4], state, WorkQueue.instant(r[18]),
                WorkQueue.instant(r[19]), ((Number) r[20]).doubleValue(), WorkQueue.instant(r[21]));
    }

    private static StoredTransition transition(Object[] r) {
        return new StoredTransition(((Number) r[0]).longValue(), ((Number) r[1]).longValue(), WorkQueue.instant(r[2]),
                (String) r[3], (String) r[4], (String) r[5], (String) r[6]);
    }

    private static EntityManager em() {
        return Panache.getEntityManager();
    }
}
