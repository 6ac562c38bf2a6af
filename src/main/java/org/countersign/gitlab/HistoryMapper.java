package org.countersign.gitlab;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.countersign.policy.Comment;
import org.countersign.policy.EmergencyCommand;
import org.countersign.policy.LabelChange;
import org.countersign.policy.SignerFacts;
import org.countersign.policy.SignoffCommand;
import org.countersign.policy.StateChange;
import org.countersign.policy.TicketHistory;
import org.countersign.policy.UserRef;
import org.gitlab4j.api.models.AbstractUser;
import org.gitlab4j.api.models.Issue;
import org.gitlab4j.api.models.IssueEvent;
import org.gitlab4j.api.models.LabelEvent;
import org.gitlab4j.api.models.Note;
import org.gitlab4j.models.Constants;

/**
 * GitLab4J's models to the policy's history types: pure functions, tested against GitLab's recorded
 * JSON (src/test/resources/gitlab-fixtures). Whatever GitLab leaves out is absent here too, never a
 * placeholder: a missing user is {@code Optional.empty()}, a label event whose label was deleted since
 * ({@code label: null}) is no label change.
 */
final class HistoryMapper {

    /** Usernames GitLab gives access-token bots ({@code project_<id>_bot_<hex>}, {@code group_<id>_bot_<hex>}). */
    private static final Pattern TOKEN_BOT = Pattern.compile("^(project|group)_\\d+_bot(_[0-9a-f]+)?\\d*$");
    private static final Pattern SERVICE_ACCOUNT = Pattern.compile("^service_account(_.*)?$");
    /** GitLab's ghost user, heir of deleted users' records ({@code Users::Internal.ghost}). */
    private static final String GHOST = "ghost";
    /** A reaction and the {@code updated_at} it caused are written in one request: a second apart at most. */
    private static final long REACTION_SLACK_MS = 1_000;

    private HistoryMapper() {
    }

    static TicketHistory history(long projectId, long iid, IssueResourceApi.IssueSnapshot snapshot, List<LabelEvent> labelEvents,
                                 List<IssueEvent> stateEvents, List<Note> notes, Map<Long, SignerFacts> signers) {
        return history(projectId, iid, snapshot, labelEvents, stateEvents, notes, signers, Map.of());
    }

    /** {@code reactions}: when reactions were given, for the notes whose {@code updated_at} needs explaining. */
    static TicketHistory history(long projectId, long iid, IssueResourceApi.IssueSnapshot snapshot, List<LabelEvent> labelEvents,
                                 List<IssueEvent> stateEvents, List<Note> notes, Map<Long, SignerFacts> signers,
                                 Map<Long, List<Instant>> reactions) {
        Issue issue = snapshot.issue();
        List<LabelChange> labelChanges = new ArrayList<>(labelEvents.size());
        labelEvents.forEach(e -> labelChange(e).ifPresent(labelChanges::add));
        List<StateChange> stateChanges = new ArrayList<>(stateEvents.size());
        stateEvents.forEach(e -> stateChange(e).ifPresent(stateChanges::add));
        List<Comment> comments = new ArrayList<>(notes.size());
        notes.forEach(n -> comments.add(comment(n, reactions.getOrDefault(n.getId(), List.of()))));
        List<UserRef> assignees = issue.getAssignees() == null ? List.of()
                : issue.getAssignees().stream().map(HistoryMapper::user).flatMap(Optional::stream).toList();
        UserRef author = user(issue.getAuthor()).orElseThrow(() -> new IllegalArgumentException(
                "issue " + projectId + "#" + iid + " has no author"));
        return new TicketHistory(projectId, iid, issue.getTitle(), issue.getIssueType(), author, assignees,
                issue.getState() == Constants.IssueState.CLOSED, snapshot.movedToId(),
                issue.getLabels() == null ? Set.of() : Set.copyOf(issue.getLabels()),
                instant(issue.getCreatedAt()).orElseThrow(() -> new IllegalArgumentException("issue without created_at")),
                instant(issue.getClosedAt()), user(issue.getClosedBy()),
                labelChanges, stateChanges, comments, signers);
    }

    /** Empty when GitLab returns the event with {@code label: null} (the label was deleted since). */
    static Optional<LabelChange> labelChange(LabelEvent e) {
        if (e.getLabel() == null || e.getLabel().getName() == null) {
            return Optional.empty();
        }
        return Optional.of(new LabelChange(e.getId(), time(e.getCreatedAt()), user(e.getUser()), e.getLabel().getName(),
                "add".equals(e.getAction())));
    }

    static Optional<StateChange> stateChange(IssueEvent e) {
        if (e.getState() == null) {
            return Optional.empty();
        }
        Optional<StateChange.Kind> kind = switch (e.getState()) {
            case "closed" -> Optional.of(StateChange.Kind.CLOSED);
            case "reopened" -> Optional.of(StateChange.Kind.REOPENED);
            case "opened" -> Optional.of(StateChange.Kind.OPENED);
            default -> Optional.empty();
        };
        return kind.map(k -> new StateChange(e.getId(), time(e.getCreatedAt()), user(e.getUser()), k));
    }

    /**
     * @param reactedAt when emoji reactions were given to the note: GitLab moves a note's {@code updated_at}
     *                  for a reaction as for an edit ({@code Note#bump_updated_at}), so an {@code updated_at}
     *                  later than {@code created_at} is an edit only when no reaction explains it
     */
    static Comment comment(Note n, List<Instant> reactedAt) {
        Instant created = instant(n.getCreatedAt()).orElseThrow(() -> new IllegalArgumentException("note " + n.getId()
                + " without created_at"));
        Optional<Instant> edited = instant(n.getUpdatedAt()).filter(u -> u.isAfter(created))
                .filter(u -> reactedAt.stream().noneMatch(r -> Math.abs(Duration.between(r, u).toMillis()) <= REACTION_SLACK_MS));
        return new Comment(n.getId(), created, edited, user(n.getAuthor()), n.getBody(), Boolean.TRUE.equals(n.getSystem()),
                Boolean.TRUE.equals(n.getInternal()));
    }

    static Comment comment(Note n) {
        return comment(n, List.of());
    }

    /** Whether GitLab's {@code updated_at} on the note says something changed after it was written. */
    static boolean touchedAfterWriting(Note n) {
        return n.getUpdatedAt() != null && n.getCreatedAt() != null && n.getUpdatedAt().after(n.getCreatedAt());
    }

    /** Authors of the notes that are sign-offs or emergency requests: the people whose membership the decision needs. */
    static Set<Long> signerIds(List<Note> notes) {
        Set<Long> ids = new LinkedHashSet<>();
        for (Note n : notes) {
            if (!Boolean.TRUE.equals(n.getSystem()) && n.getAuthor() != null && n.getAuthor().getId() != null
                    && (SignoffCommand.isSignoff(n.getBody()) || EmergencyCommand.isRequest(n.getBody()))) {
                ids.add(n.getAuthor().getId());
            }
        }
        return ids;
    }

    /**
     * What kind of account: GitLab's {@code bot} flag (true for access-token bots and service accounts,
     * {@code User#bot?}), the usernames GitLab gives those accounts, and its ghost user.
     */
    static SignerFacts.Account account(boolean bot, String username) {
        String name = username == null ? "" : username;
        if (SERVICE_ACCOUNT.matcher(name).matches() && bot) {
            return SignerFacts.Account.SERVICE_ACCOUNT;
        }
        if (bot || TOKEN_BOT.matcher(name).matches()) {
            return SignerFacts.Account.BOT;
        }
        if (GHOST.equals(name)) {
            return SignerFacts.Account.GHOST;
        }
        return SignerFacts.Account.PERSON;
    }

    static Optional<UserRef> user(AbstractUser<?> u) {
        if (u == null || u.getId() == null) {
            return Optional.empty();
        }
        return Optional.of(new UserRef(u.getId(), u.getUsername() == null ? "user-" + u.getId() : u.getUsername()));
    }

    static Optional<Instant> instant(Date d) {
        return Optional.ofNullable(d).map(Date::toInstant);
    }

    /** GitLab's timestamps: {@code 2018-08-20T13:38:20.077Z}, or with an offset. */
    static Instant time(String s) {
        if (s == null) {
            throw new IllegalArgumentException("event without created_at");
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            return OffsetDateTime.parse(s).toInstant();
        }
    }
}
