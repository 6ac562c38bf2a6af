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

    private final Map<Long, UserRef> users = new LinkedHashMap<>();
    private final Map<Long, List<String>> roles = new LinkedHashMap<>();

    static Implementers of(TicketHistory h, PolicySettings s) {
        Implementers result = new Implementers();
        if (s.authorIsImplementer()) {
            result.add(h.author(), "author");
        }
        for (UserRef a : h.assignees()) {
            result.add(a, "assignee");
        }
        for (LabelChange c : h.labelChanges()) {
            if (c.added() && c.label().equals(s.reviewLabel()) && !c.isBy(s.botUserId())) {
                c.by().ifPresent(u -> result.add(u, "moved it to " + s.reviewLabel()));
            }
        }
        return result;
    }

    /**
     * Implementers known only by id, as a stored decision records them; {@code role} says why each one
     * may not sign off.
     */
    static Implementers ofIds(java.util.Collection<Long> ids, String role) {
        Implementers result = new Implementers();
        for (long id : ids) {
            result.add(new UserRef(id, "#" + id), role);
        }
        return result;
    }

    private void add(UserRef user, String role) {
        users.putIfAbsent(user.id(), user);
        List<String> list = roles.computeIfAbsent(user.id(), k -> new ArrayList<>());
        if (!list.contains(role)) {
            list.add(role);
        }
    }

    Optional<Implementer> of(long userId) {
        return Optional.ofNullable(users.get(userId)).map(u -> new Implementer(u, roles.get(userId)));
    }

    List<Implementer> all() {
        return users.values().stream().map(u -> new Implementer(u, roles.get(u.id()))).toList();
    }
}
