package org.countersign.gitlab.sim;

import java.time.Instant;

/** A simulated project: {@code pathWithNamespace} like {@code infra/interventions}. */
public record SimProject(long id, String pathWithNamespace, String name, Instant createdAt) {

    /** Last path segment, e.g. {@code interventions}. */
    public String path() {
        int slash = pathWithNamespace.lastIndexOf('/');
        return slash < 0 ? pathWithNamespace : pathWithNamespace.substring(slash + 1);
    }

    /** Namespace full path, e.g. {@code infra} (empty for a top-level path). */
    public String namespacePath() {
        int slash = pathWithNamespace.lastIndexOf('/');
        return slash < 0 ? "" : pathWithNamespace.substring(0, slash);
    }
}
