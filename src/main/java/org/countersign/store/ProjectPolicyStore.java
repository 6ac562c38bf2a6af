package org.countersign.store;

import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The policy in force per project (table {@code project_policy}), read and changed under a row lock. */
@ApplicationScoped
public class ProjectPolicyStore {

    /** One project's row: the overrides in force (JSON), where they came from, and the latest refusal. */
    public record Row(long projectId, String overridesJson, String source, String sourceCommit, String problem,
                      String problemCommit) {
    }

    @Transactional
    public Optional<Row> find(long projectId) {
        return rows("WHERE project_id = :p", projectId, false).stream().findFirst();
    }

    /** Locks the project's row (creating it, in force: the environment) for the caller's transaction. */
    @Transactional(Transactional.TxType.MANDATORY)
    public Row lock(long projectId, Instant now) {
        Panache.getEntityManager().createNativeQuery("INSERT INTO project_policy (project_id, source, changed_at, checked_at) "
                        + "VALUES (:p, 'environment', :now, :now) ON CONFLICT DO NOTHING")
                .setParameter("p", projectId).setParameter("now", now).executeUpdate();
        return rows("WHERE project_id = :p", projectId, true).get(0);
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void setInForce(long projectId, String overridesJson, String source, String commit, Instant now) {
        Panache.getEntityManager().createNativeQuery("UPDATE project_policy SET overrides = CAST(:o AS jsonb), source = :s, "
                        + "source_commit = :c, changed_at = :now, problem = NULL, problem_commit = NULL, checked_at = :now "
                        + "WHERE project_id = :p")
                .setParameter("o", overridesJson).setParameter("s", source).setParameter("c", commit)
                .setParameter("now", now).setParameter("p", projectId).executeUpdate();
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void setChecked(long projectId, String problem, String problemCommit, Instant now) {
        Panache.getEntityManager().createNativeQuery("UPDATE project_policy SET problem = :pr, problem_commit = :pc, "
                        + "checked_at = :now WHERE project_id = :p")
                .setParameter("pr", problem).setParameter("pc", problemCommit).setParameter("now", now)
                .setParameter("p", projectId).executeUpdate();
    }

    @Transactional
    public List<Row> all() {
        return rows("", null, false);
    }

    private List<Row> rows(String where, Long projectId, boolean forUpdate) {
        var q = Panache.getEntityManager().createNativeQuery("SELECT project_id, CAST(overrides AS text), source, "
                + "source_commit, problem, problem_commit FROM project_policy " + where + " ORDER BY project_id"
                + (forUpdate ? " FOR UPDATE" : ""));
        if (projectId != null) {
            q.setParameter("p", projectId);
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = q.getResultList();
        List<Row> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(new Row(((Number) r[0]).longValue(), (String) r[1], (String) r[2], (String) r[3], (String) r[4],
                    (String) r[5]));
        }
        return out;
    }
}
