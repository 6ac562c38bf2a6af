package org.countersign.people;

import jakarta.enterprise.context.RequestScoped;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * What one request learnt about the viewer's memberships: each project asked of GitLab once per
 * request, and the projects GitLab could not be asked about (hidden, and said so on the pages).
 * Reached through methods only: the bean is a client proxy, whose own fields are not the request's.
 */
@RequestScoped
public class MembershipLookups {

    private final Map<Long, Boolean> member = new HashMap<>();
    private final Set<Long> unreadable = new LinkedHashSet<>();

    /** Whether the viewer may see {@code projectId}, asked of {@code ask} the first time in this request. */
    public boolean member(long projectId, LongPredicate ask) {
        return member.computeIfAbsent(projectId, ask::test);
    }

    public void unreadable(long projectId) {
        unreadable.add(projectId);
    }

    public int unreadableCount() {
        return unreadable.size();
    }
}
