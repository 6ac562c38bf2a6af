package org.countersign.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;
import org.hibernate.annotations.ColumnTransformer;

/** The latest decision on one ticket. */
@Entity
@Table(name = "ticket")
public class TicketEntity extends PanacheEntityBase {

    @Embeddable
    public static class Key implements Serializable {
        @Column(name = "project_id")
        public long projectId;
        public long iid;

        public Key() {
        }

        public Key(long projectId, long iid) {
            this.projectId = projectId;
            this.iid = iid;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.projectId == projectId && k.iid == iid;
        }

        @Override
        public int hashCode() {
            return Objects.hash(projectId, iid);
        }
    }

    @EmbeddedId
    public Key key;
    public String title;
    @Column(name = "web_url")
    public String webUrl;
    public String verdict;
    public String summary;
    public String fingerprint;
    @ColumnTransformer(write = "?::jsonb")
    public String decision;
    @Column(name = "review_since")
    public Instant reviewSince;
    @Column(name = "valid_signoffs")
    public int validSignoffs;
    @Column(name = "required_signoffs")
    public int requiredSignoffs;
    @Column(name = "gitlab_updated_at")
    public Instant gitlabUpdatedAt;
    @Column(name = "evaluated_at")
    public Instant evaluatedAt;
    @Column(name = "history_read_at")
    public Instant historyReadAt;
}
