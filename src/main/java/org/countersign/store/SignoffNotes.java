package org.countersign.store;

import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** The body of each {@code /signoff} note as first read (table {@code signoff_note}), to tell later edits. */
@ApplicationScoped
public class SignoffNotes {

    /** Note id → SHA-256 of its body as first read, for the ticket's sign-off notes. */
    @Transactional(Transactional.TxType.MANDATORY)
    public Map<Long, String> firstRead(long projectId, long iid) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = Panache.getEntityManager()
                .createNativeQuery("SELECT note_id, body_sha256 FROM signoff_note WHERE project_id = :p AND iid = :i")
                .setParameter("p", projectId).setParameter("i", iid).getResultList();
        Map<Long, String> result = new HashMap<>();
        rows.forEach(r -> result.put(((Number) r[0]).longValue(), (String) r[1]));
        return result;
    }

    /** Records the body of a sign-off note the first time it is read; later calls change nothing. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(long projectId, long iid, long noteId, String body, Instant now) {
        Panache.getEntityManager().createNativeQuery("INSERT INTO signoff_note (project_id, iid, note_id, body_sha256, "
                        + "first_seen_at) VALUES (:p, :i, :n, :h, :now) ON CONFLICT DO NOTHING")
                .setParameter("p", projectId).setParameter("i", iid).setParameter("n", noteId).setParameter("h", sha256(body))
                .setParameter("now", now).executeUpdate();
    }

    public static String sha256(String body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                    (body == null ? "" : body).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
