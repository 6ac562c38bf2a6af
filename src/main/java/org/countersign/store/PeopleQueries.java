package org.countersign.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the pages and {@code /api/v1} read: tickets waiting for review, a ticket's latest decision, the
 * audit trail searched and paginated. Read-only SQL over the tables the core writes.
 */
@ApplicationScoped
public class PeopleQueries {

    /** The audit search: every field optional; {@code projects} limits what the caller may see. */
    public record AuditFilter(Collection<Long> projects, Long project, Long iid, String actor, Instant from, Instant to) {
    }

    public record AuditPage(List<AuditRecord> entries, long total) {
    }

    private final AgroalDataSource db;

    public PeopleQueries(AgroalDataSource db) {
        this.db = db;
    }

    /** Tickets open in the review column of {@code projects}, longest waiting first. */
    public List<StoredTicket> reviewQueue(Collection<Long> projects) {
        if (projects.isEmpty()) {
            return List.of();
        }
        return tickets("WHERE project_id = ANY (?) AND " + WaitingTickets.inReviewColumn("ticket")
                + " ORDER BY review_since NULLS LAST, project_id, iid", projects);
    }

    public Optional<StoredTicket> ticket(long projectId, long iid) {
        List<StoredTicket> found = tickets("WHERE project_id = ? AND iid = ?", projectId, iid);
        return found.stream().findFirst();
    }

    /** How many tickets of {@code projectId} stand at each verdict. */
    public Map<String, Long> verdictCounts(long projectId) {
        Map<String, Long> counts = new LinkedHashMap<>();
        query("SELECT verdict, count(*) FROM ticket WHERE project_id = ? GROUP BY verdict ORDER BY verdict", r -> {
            counts.put(r.getString(1), r.getLong(2));
            return null;
        }, projectId);
        return counts;
    }

    /** The latest {@code limit} rejected closes (decisions that undid a close) of {@code projectId}. */
    public List<AuditRecord> recentUndone(long projectId, int limit) {
        return query("SELECT " + AUDIT_COLUMNS + " FROM audit_entry WHERE project_id = ? AND kind = 'DECISION' "
                + "AND outcome = 'CLOSE_REJECTED' ORDER BY id DESC LIMIT ?", PeopleQueries::audit, projectId, limit);
    }

    /** Audit entries matching {@code f}, oldest first, {@code offset} and {@code limit} for pages. */
    public AuditPage audit(AuditFilter f, long offset, int limit) {
        if (f.projects().isEmpty()) {
            return new AuditPage(List.of(), 0);
        }
        List<Object> args = new ArrayList<>();
        String where = where(f, args);
        long total = query("SELECT count(*) FROM audit_entry" + where, r -> r.getLong(1), args.toArray()).get(0);
        args.add(limit);
        args.add(offset);
        List<AuditRecord> entries = query("SELECT " + AUDIT_COLUMNS + " FROM audit_entry" + where
                + " ORDER BY id LIMIT ? OFFSET ?", PeopleQueries::audit, args.toArray());
        return new AuditPage(entries, total);
    }

    /**
     * At most {@code limit} audit entries matching {@code f} with an id above {@code afterId}, by id: the
     * export reads the whole trail in such chunks (keyset pagination: each chunk costs the same, however
     * far into the trail, and entries appended meanwhile come after the last one read).
     */
    public List<AuditRecord> auditAfter(AuditFilter f, long afterId, int limit) {
        if (f.projects().isEmpty()) {
            return List.of();
        }
        List<Object> args = new ArrayList<>();
        String where = where(f, args) + " AND id > ?";
        args.add(afterId);
        args.add(limit);
        return query("SELECT " + AUDIT_COLUMNS + " FROM audit_entry" + where + " ORDER BY id LIMIT ?",
                PeopleQueries::audit, args.toArray());
    }

    private static String where(AuditFilter f, List<Object> args) {
        StringBuilder where = new StringBuilder(" WHERE project_id = ANY (?)");
        args.add(f.projects());
        if (f.project() != null) {
            where.append(" AND project_id = ?");
            args.add(f.project());
        }
        if (f.iid() != null) {
            where.append(" AND iid = ?");
            args.add(f.iid());
        }
        if (f.actor() != null) {
            where.append(" AND actor = ?");
            args.add(f.actor());
        }
        if (f.from() != null) {
            where.append(" AND at >= ?");
            args.add(f.from());
        }
        if (f.to() != null) {
            where.append(" AND at < ?");
            args.add(f.to());
        }
        return where.toString();
    }

    private static final String AUDIT_COLUMNS =
            "id, at, project_id, iid, kind, actor, outcome, summary, trigger, gitlab_ref, details::text";

    private static AuditRecord audit(ResultSet r) throws SQLException {
        return new AuditRecord(r.getLong(1), r.getTimestamp(2).toInstant(), (Long) r.getObject(3), (Long) r.getObject(4),
                r.getString(5), r.getString(6), r.getString(7), r.getString(8), r.getString(9), r.getString(10),
                r.getString(11));
    }

    private List<StoredTicket> tickets(String where, Object... args) {
        return query("SELECT project_id, iid, title, web_url, verdict, summary, fingerprint, decision::text, review_since, "
                + "valid_signoffs, required_signoffs, gitlab_updated_at, evaluated_at, history_read_at FROM ticket " + where,
                r -> new StoredTicket(r.getLong(1), r.getLong(2), r.getString(3), r.getString(4), r.getString(5),
                        r.getString(6), r.getString(7), r.getString(8), instant(r.getTimestamp(9)), r.getInt(10),
                        r.getInt(11), instant(r.getTimestamp(12)), instant(r.getTimestamp(13)),
                        instant(r.getTimestamp(14))), args);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private interface Row<T> {
        T map(ResultSet r) throws SQLException;
    }

    private <T> List<T> query(String sql, Row<T> row, Object... args) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                if (a instanceof Collection<?> ids) {
                    s.setArray(i + 1, c.createArrayOf("bigint", ids.toArray()));
                } else if (a instanceof Instant t) {
                    s.setTimestamp(i + 1, Timestamp.from(t));
                } else {
                    s.setObject(i + 1, a);
                }
            }
            List<T> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(row.map(r));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("reading " + sql.substring(0, Math.min(60, sql.length())) + "… failed", e);
        }
    }
}
