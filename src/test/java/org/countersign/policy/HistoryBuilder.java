package org.countersign.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Fixture builder for table tests: a ticket's history told minute by minute. */
final class HistoryBuilder {
    static final Instant T0 = Instant.parse("2026-11-20T09:00:00Z");
    static final String REVIEW = "To validate";
    static final String DOING = "Doing";

    static final UserRef BOT = new UserRef(99, "countersign-bot");
    static final UserRef ALICE = new UserRef(1, "alice");     // author
    static final UserRef BOB = new UserRef(2, "bob");         // assignee, does the work
    static final UserRef CAROL = new UserRef(3, "carol");     // eligible reviewer (developer)
    static final UserRef DAVE = new UserRef(4, "dave");       // second eligible reviewer (maintainer)
    static final UserRef RITA = new UserRef(5, "rita");       // reporter: access too low
    static final UserRef OSCAR = new UserRef(6, "oscar");     // not a member

    private long nextId = 1000;
    private UserRef author = ALICE;
    private final List<UserRef> assignees = new ArrayList<>(List.of(BOB));
    private final Set<String> labels = new HashSet<>();
    private boolean closed;
    private Optional<Instant> closedAt = Optional.empty();
    private final List<LabelChange> labelChanges = new ArrayList<>();
    private final List<StateChange> stateChanges = new ArrayList<>();
    private final List<Comment> comments = new ArrayList<>();
    private String type = "issue";
    private Optional<Long> movedTo = Optional.empty();
    private final Map<Long, SignerFacts> signers = new HashMap<>(Map.of(
            ALICE.id(), SignerFacts.person(ALICE.id(), AccessLevels.DEVELOPER),
            BOB.id(), SignerFacts.person(BOB.id(), AccessLevels.DEVELOPER),
            CAROL.id(), SignerFacts.person(CAROL.id(), AccessLevels.DEVELOPER),
            DAVE.id(), SignerFacts.person(DAVE.id(), AccessLevels.MAINTAINER),
            RITA.id(), SignerFacts.person(RITA.id(), AccessLevels.REPORTER),
            BOT.id(), SignerFacts.person(BOT.id(), AccessLevels.DEVELOPER)));

    static HistoryBuilder ticket() {
        return new HistoryBuilder();
    }

    static Instant at(int minute) {
        return T0.plusSeconds(60L * minute);
    }

    long lastId() {
        return nextId;
    }

    HistoryBuilder author(UserRef u) {
        author = u;
        return this;
    }

    HistoryBuilder noAssignees() {
        assignees.clear();
        return this;
    }

    HistoryBuilder access(UserRef u, int level) {
        signers.put(u.id(), SignerFacts.person(u.id(), level));
        return this;
    }

    /** What GitLab now says about {@code u} (an account kind, a membership, an active state). */
    HistoryBuilder signer(UserRef u, SignerFacts facts) {
        signers.put(u.id(), facts);
        return this;
    }

    HistoryBuilder notMember(UserRef u) {
        signers.remove(u.id());
        return this;
    }

    HistoryBuilder type(String workItemType) {
        type = workItemType;
        return this;
    }

    HistoryBuilder movedTo(long issueId) {
        movedTo = Optional.of(issueId);
        return this;
    }

    HistoryBuilder addLabel(int minute, UserRef by, String label) {
        return addLabelAt(at(minute), by, label);
    }

    HistoryBuilder addLabelAt(Instant when, UserRef by, String label) {
        labels.add(label);
        labelChanges.add(new LabelChange(++nextId, when, Optional.of(by), label, true));
        return this;
    }

    HistoryBuilder removeLabel(int minute, UserRef by, String label) {
        return removeLabelAt(at(minute), by, label);
    }

    HistoryBuilder removeLabelAt(Instant when, UserRef by, String label) {
        labels.remove(label);
        labelChanges.add(new LabelChange(++nextId, when, Optional.of(by), label, false));
        return this;
    }

    /** A move at an exact instant (GitLab records the add before the remove, same timestamp). */
    HistoryBuilder moveAt(Instant when, UserRef by, String from, String to) {
        addLabelAt(when, by, to);
        return removeLabelAt(when, by, from);
    }

    HistoryBuilder dragToClosedAt(Instant when, UserRef by) {
        for (String l : List.copyOf(labels)) {
            if (l.equals(REVIEW) || l.equals(DOING)) {
                removeLabelAt(when, by, l);
            }
        }
        closed = true;
        closedAt = Optional.of(when);
        stateChanges.add(new StateChange(++nextId, when, Optional.of(by), StateChange.Kind.CLOSED));
        return this;
    }

    /** A drag between board lists: one update removing {@code from} and adding {@code to}. */
    HistoryBuilder move(int minute, UserRef by, String from, String to) {
        if (from != null) {
            removeLabel(minute, by, from);
        }
        return addLabel(minute, by, to);
    }

    HistoryBuilder toReview(int minute, UserRef by) {
        return move(minute, by, labels.contains(DOING) ? DOING : null, REVIEW);
    }

    HistoryBuilder close(int minute, UserRef by) {
        closed = true;
        closedAt = Optional.of(at(minute));
        stateChanges.add(new StateChange(++nextId, at(minute), Optional.of(by), StateChange.Kind.CLOSED));
        return this;
    }

    /** Drag to the board's Closed list: the list labels go in the same update as the close. */
    HistoryBuilder dragToClosed(int minute, UserRef by) {
        for (String l : List.copyOf(labels)) {
            if (l.equals(REVIEW) || l.equals(DOING)) {
                removeLabel(minute, by, l);
            }
        }
        return close(minute, by);
    }

    HistoryBuilder reopen(int minute, UserRef by) {
        return reopenAt(at(minute), by);
    }

    HistoryBuilder reopenAt(Instant when, UserRef by) {
        closed = false;
        closedAt = Optional.empty();
        stateChanges.add(new StateChange(++nextId, when, Optional.of(by), StateChange.Kind.REOPENED));
        return this;
    }

    HistoryBuilder comment(int minute, UserRef by, String body) {
        comments.add(new Comment(++nextId, at(minute), Optional.empty(), Optional.of(by), body, false, false));
        return this;
    }

    /** A comment written at {@code minute} whose body was changed at {@code editedMinute}. */
    HistoryBuilder editedComment(int minute, UserRef by, String body, int editedMinute) {
        comments.add(new Comment(++nextId, at(minute), Optional.of(at(editedMinute)), Optional.of(by), body, false, false));
        return this;
    }

    HistoryBuilder internalComment(int minute, UserRef by, String body) {
        comments.add(new Comment(++nextId, at(minute), Optional.empty(), Optional.of(by), body, false, true));
        return this;
    }

    HistoryBuilder systemNote(int minute, UserRef by, String body) {
        comments.add(new Comment(++nextId, at(minute), Optional.empty(), Optional.of(by), body, true, false));
        return this;
    }

    HistoryBuilder signoff(int minute, UserRef by) {
        return comment(minute, by, "/signoff restored last night's backup on a spare VM");
    }

    /** A closed ticket whose close GitLab kept no state event for. */
    HistoryBuilder closedWithoutEvent(int minute) {
        closed = true;
        closedAt = Optional.of(at(minute));
        return this;
    }

    TicketHistory build() {
        return new TicketHistory(7, 42, "Re-enable nightly backup", type, author, assignees, closed, movedTo, labels, at(0),
                closedAt, Optional.empty(), labelChanges, stateChanges, comments, signers);
    }

    static PolicySettings settings() {
        return settings(1, true);
    }

    static PolicySettings settings(int required, boolean authorIsImplementer) {
        return new PolicySettings(REVIEW, required, AccessLevels.DEVELOPER, authorIsImplementer, Optional.empty(),
                PolicySettings.DEFAULT_GOVERNED_TYPES, BOT.id(), PolicySettings.DEFAULT_CLOSE_WINDOW);
    }
}
