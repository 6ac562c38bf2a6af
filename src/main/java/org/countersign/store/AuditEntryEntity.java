package org.countersign.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.ColumnTransformer;
import org.hibernate.annotations.Immutable;

/** A row of the append-only audit trail. {@link Immutable}: Hibernate never issues an UPDATE for it. */
@Entity
@Immutable
@Table(name = "audit_entry")
public class AuditEntryEntity extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public Instant at;
    @Column(name = "project_id")
    public Long projectId;
    public Long iid;
    public String kind;
    public String actor;
    public String outcome;
    public String summary;
    @Column(name = "trigger")
    public String trigger;
    @Column(name = "gitlab_ref")
    public String gitlabRef;
    @ColumnTransformer(write = "?::jsonb")
    public String details;
    /** enforce or shadow: the operating mode of the instance that wrote the entry. */
    public String mode;
}
