package org.countersign.gitlab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.gitlab4j.api.GitLabApi;
import org.gitlab4j.api.GitLabApiException;
import org.gitlab4j.api.Pager;
import org.gitlab4j.api.models.LabelEvent;
import org.gitlab4j.api.models.Note;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Offset pagination details: {@code per_page} capped at 100, notes' {@code order_by}/{@code sort}, permission
 * filtering AFTER paginating (short and even empty pages), totals dropped above 10,000 records; GitLab4J's
 * {@link Pager} must still walk everything.
 *
 * <p>Sources (gitlabhq/gitlabhq): {@code lib/api/notes.rb} (order_by/sort values, {@code paginate(raw_notes)} then
 * {@code select { |note| note.readable_by?(current_user) }}, comment "the current page can have less elements than
 * :per_page even if there's more than one page"), {@code lib/api/resource_label_events.rb}
 * ({@code visible_to_user?(current_user, paginate(events))}), {@code lib/gitlab/pagination/offset_pagination.rb}
 * ({@code exceeeds_count?} -> {@code without_count}), {@code lib/gitlab/pagination/offset_header_builder.rb}
 * (no {@code X-Total}/{@code X-Total-Pages}/{@code rel="last"} without counts),
 * {@code config/initializers/kaminari_active_record_relation_methods_with_limit.rb} ({@code MAX_COUNT_LIMIT =
 * 10_000}), {@code app/policies/project_policy.rb} ({@code rule { admin | planner_or_reporter_access }.enable
 * :read_internal_note}), {@code app/policies/note_policy.rb} ({@code internal & ~can_read_internal_note} prevents
 * {@code read_note}), {@code lib/api/entities/note.rb} ({@code confidential} and {@code internal}).
 */
class SimPaginationFidelityTest {

    private static final Instant T0 = Instant.parse("2026-11-25T16:00:00.000Z");

    private GitLabSimulator sim;
    private SimClock clock;
    private SimProject project;
    private SimUser rita; // Reporter
    private SimUser gus; // Guest
    private SimUser pia; // Planner
    private SimTestHttp http;

    @BeforeEach
    void setUp() {
        sim = GitLabSimulator.start();
        clock = new SimClock(T0);
        sim.setClock(clock);
        rita = sim.addUser("rita", "Rita Reporter");
        gus = sim.addUser("gus", "Gus Guest");
        pia = sim.addUser("pia", "Pia Planner");
        project = sim.createProject("infra/interventions");
        sim.addMember(project, rita, GitLabSimulator.REPORTER);
        sim.addMember(project, gus, GitLabSimulator.GUEST);
        sim.addMember(project, pia, GitLabSimulator.PLANNER);
        sim.createIssue(rita, project, "Reboot db-01", false, List.of("A"));
        http = new SimTestHttp(sim);
    }

    @AfterEach
    void tearDown() {
        sim.close();
    }

    /** Notes n1..n10, one a second; internal: n2, n3, n4, n8 (by the Reporter). */
    private void tenNotes() {
        for (int n = 1; n <= 10; n++) {
            clock.advance(Duration.ofSeconds(1));
            if (List.of(2, 3, 4, 8).contains(n)) {
                sim.internalComment(rita, project, 1, "n" + n);
            } else {
                sim.comment(rita, project, 1, "n" + n);
            }
        }
    }

    @Test
    void internalNotesAreFilteredAfterPaginatingSoGuestsGetShortAndEmptyPages() throws Exception {
        tenNotes();
        String path = "/projects/" + project.id() + "/issues/1/notes?per_page=3&page=";
        // Newest first: page 1 = n10 n9 n8, page 2 = n7 n6 n5, page 3 = n4 n3 n2, page 4 = n1.
        List<List<String>> guestPages = new ArrayList<>();
        for (int page = 1; page <= 4; page++) {
            HttpResponse<String> r = http.get(gus, path + page);
            assertEquals("10", SimTestHttp.header(r, "X-Total"), "counts the unfiltered notes");
            assertEquals("4", SimTestHttp.header(r, "X-Total-Pages"));
            assertEquals(page < 4 ? String.valueOf(page + 1) : "", SimTestHttp.header(r, "X-Next-Page"));
            List<String> bodies = new ArrayList<>();
            SimTestHttp.json(r).forEach(n -> bodies.add(n.get("body").asText()));
            guestPages.add(bodies);
        }
        assertEquals(List.of(List.of("n10", "n9"), List.of("n7", "n6", "n5"), List.of(), List.of("n1")), guestPages,
                "short page 1, EMPTY page 3, yet more pages follow");

        try (GitLabApi asGuest = new GitLabApi(sim.baseUrl(), gus.token());
                GitLabApi asPlanner = new GitLabApi(sim.baseUrl(), pia.token())) {
            Pager<Note> pager = asGuest.getNotesApi().getIssueNotes(project.id(), 1L, 3);
            List<String> walked = new ArrayList<>();
            while (pager.hasNext()) {
                pager.next().forEach(n -> walked.add(n.getBody()));
            }
            assertEquals(List.of("n10", "n9", "n7", "n6", "n5", "n1"), walked, "the Pager walks past empty pages");
            assertEquals(10, asPlanner.getNotesApi().getIssueNotes(project.id(), 1L, 3).all().size(),
                    "Planner has read_internal_note");
            Note internal = asPlanner.getNotesApi().getIssueNote(project.id(), 1L, sim.notes(project, 1).get(1).id());
            assertTrue(internal.getInternal());
            long internalId = internal.getId();
            assertEquals(404, assertThrows(GitLabApiException.class,
                    () -> asGuest.getNotesApi().getIssueNote(project.id(), 1L, internalId)).getHttpStatus());
        }
        JsonNode asReporter = SimTestHttp.json(http.get(rita, "/projects/" + project.id() + "/issues/1/notes"));
        assertEquals(10, asReporter.size());
        JsonNode n8 = asReporter.get(2);
        assertEquals("n8", n8.get("body").asText());
        assertTrue(n8.get("internal").asBoolean() && n8.get("confidential").asBoolean(), "both flags: " + n8);
    }

    // Notes::BuildService: internal only with mark_note_as_internal, else silently public.
    @Test
    void guestsPostingInternalNotesGetPublicNotes() throws Exception {
        try (GitLabApi asGuest = new GitLabApi(sim.baseUrl(), gus.token());
                GitLabApi asPlanner = new GitLabApi(sim.baseUrl(), pia.token())) {
            Note guestNote = asGuest.getNotesApi().createIssueNote(project.id(), 1L, "secret?", null, true);
            assertFalse(guestNote.getInternal(), "silently public");
            Note plannerNote = asPlanner.getNotesApi().createIssueNote(project.id(), 1L, "secret", null, true);
            assertTrue(plannerNote.getInternal());
        }
    }

    @Test
    void perPageIsCappedAt100AndNotesSortParametersAreHonoured() throws Exception {
        for (int n = 1; n <= 120; n++) {
            clock.advance(Duration.ofSeconds(1));
            sim.comment(rita, project, 1, "c" + n);
        }
        HttpResponse<String> big = http.get(rita, "/projects/" + project.id() + "/issues/1/notes?per_page=500");
        assertEquals("100", SimTestHttp.header(big, "X-Per-Page"));
        assertEquals(100, SimTestHttp.json(big).size());
        assertEquals("2", SimTestHttp.header(big, "X-Total-Pages"));

        clock.advance(Duration.ofMinutes(1));
        long c1 = sim.notes(project, 1).get(0).id();
        sim.editNote(rita, project, 1, c1, "c1 edited"); // newest updated_at, oldest created_at
        JsonNode asc = SimTestHttp.json(http.get(rita, "/projects/" + project.id()
                + "/issues/1/notes?order_by=updated_at&sort=asc&per_page=100&page=2"));
        assertEquals("c1 edited", asc.get(asc.size() - 1).get("body").asText(), "updated_at asc: edited last");
        JsonNode createdDesc = SimTestHttp.json(http.get(rita, "/projects/" + project.id() + "/issues/1/notes"));
        assertEquals("c120", createdDesc.get(0).get("body").asText(), "default created_at desc");
        HttpResponse<String> bad = http.get(rita, "/projects/" + project.id() + "/issues/1/notes?order_by=id");
        assertEquals(400, bad.statusCode());
        assertEquals("order_by does not have a valid value", SimTestHttp.json(bad).get("error").asText());
        HttpResponse<String> comments = http.get(rita, "/projects/" + project.id()
                + "/issues/1/notes?activity_filter=only_activity");
        assertEquals(0, SimTestHttp.json(comments).size(), "no system notes here");
    }

    /** One event at creation, two per move between lists "A" and "B", one per extra label added. */
    private void labelEvents(int moves, int extraAdds) {
        for (int k = 0; k < moves; k++) {
            if (k % 2 == 0) {
                sim.moveToList(rita, project, 1, "A", "B");
            } else {
                sim.moveToList(rita, project, 1, "B", "A");
            }
        }
        IntStream.range(0, extraAdds).forEach(k -> sim.addLabels(rita, project, 1, "extra" + k));
    }

    @Test
    void aboveTenThousandEventsTotalsAndLastLinkVanishButThePagerStillWalksAll() throws Exception {
        labelEvents(4_999, 1); // 1 + 9,998 + 1 = 10,000 events: still counted
        String path = "/projects/" + project.id() + "/issues/1/resource_label_events?per_page=100";
        HttpResponse<String> counted = http.get(rita, path + "&page=1");
        assertEquals("10000", SimTestHttp.header(counted, "X-Total"));
        assertEquals("100", SimTestHttp.header(counted, "X-Total-Pages"));
        assertTrue(SimTestHttp.header(counted, "Link").contains("rel=\"last\""));

        sim.addLabels(rita, project, 1, "one-more"); // 10,001
        HttpResponse<String> first = http.get(rita, path + "&page=1");
        assertNull(SimTestHttp.header(first, "X-Total"), "no X-Total above 10,000");
        assertNull(SimTestHttp.header(first, "X-Total-Pages"));
        assertEquals("2", SimTestHttp.header(first, "X-Next-Page"));
        assertEquals("", SimTestHttp.header(first, "X-Prev-Page"));
        String link = SimTestHttp.header(first, "Link");
        assertTrue(link.contains("page=2&per_page=100>; rel=\"next\"") && link.contains("rel=\"first\""), link);
        assertFalse(link.contains("rel=\"last\""), link);
        HttpResponse<String> last = http.get(rita, path + "&page=101");
        assertEquals(1, SimTestHttp.json(last).size());
        assertEquals("", SimTestHttp.header(last, "X-Next-Page"));
        assertEquals("100", SimTestHttp.header(last, "X-Prev-Page"));
        assertFalse(SimTestHttp.header(last, "Link").contains("rel=\"next\""));

        try (GitLabApi api = new GitLabApi(sim.baseUrl(), rita.token())) {
            Pager<LabelEvent> pager = api.getResourceLabelEventsApi().getIssueLabelEvents(project.id(), 1L, 100);
            List<LabelEvent> all = new ArrayList<>();
            while (pager.hasNext()) {
                all.addAll(pager.next());
            }
            assertEquals(10_001, all.size());
            assertEquals(10_001, all.stream().map(LabelEvent::getId).distinct().count());
            assertEquals("one-more", all.get(10_000).getLabel().getName());
        }
    }
}
