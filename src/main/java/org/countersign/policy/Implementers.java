package org.countersign.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The people who did the work on a ticket and so may not sign it off: its assignees, everyone who
 * moved it into the review column (at any time: a conservative reading of "whoever moved it"), and
 * its author when configured. Countersign's own label restorations make nobody an implementer.
 */
final class Implementers {

    record Role(UserRef user, List<String> roles) {
    }

    private final Map<Long, Role> byUser = new LinkedHashMap<>();

    static Implementers of(TicketHistory h, PolicySettings s) {
        Implementers result = new Implementers();
        if (s.authorIsImplementer()) {
            result.add(h.author(), "author");
        }
        for (UserRef a : h.assignees()) {
            result.add(a, "assignee");
        }
        for (LabelChange c : h.labelChanges()) {
            if (c.added() && c.label().equals(s.reviewLabel()) && c.user().id() != s.botUserId()) {
                result.add(c.user(), "moved it to " + s.reviewLabel());
            }
        }
        return result;
    }

    private void add(UserRef user, String role) {
        Role existing = byUser.get(user.id());
        if (existing == null) {
            List<String> roles = new ArrayList<>();
            roles.add(role);
            byUser.put(user.id(), new Role(user, roles));
        } else if (!existing.roles().contains(role)) {
            existing.roles().add(role);
        }
    }

    Optional<Role> roleOf(long userId) {
        return Optional.ofNullable(byUser.get(userId));
    }

    List<Role> all() {
        return List.copyOf(byUser.values());
    }
}
