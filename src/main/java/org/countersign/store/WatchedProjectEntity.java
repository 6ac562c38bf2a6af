package org.countersign.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "watched_project")
public class WatchedProjectEntity extends PanacheEntityBase {
    @Id
    @Column(name = "project_id")
    public long projectId;
    public String path;
    @Column(name = "web_url")
    public String webUrl;
    @Column(name = "watched_since")
    public Instant watchedSince;
    @Column(name = "reconciled_until")
    public Instant reconciledUntil;
    @Column(name = "last_reconcile_at")
    public Instant lastReconcileAt;
}
