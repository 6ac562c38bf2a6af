package org.countersign.gitlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.countersign.web.ProblemException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** GitLab's documented payloads (../shared/gitlab-fixtures, copied into test resources) read as triggers. */
class WebhookParserTest {

    private final WebhookParser parser = new WebhookParser();

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = WebhookParserTest.class.getResourceAsStream("/gitlab-fixtures/" + name)) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(nullValues = "null", textBlock = """
            Issue Hook,             issue-hook.json,                 1,  23, 1
            Issue Hook,             issue-hook-state-changes.json,   1,  23, 1
            Confidential Issue Hook,issue-hook-gitlab4j.json,        14, 23, null
            Note Hook,              note-hook-issue.json,            5,  17, 1
            Confidential Note Hook, note-hook-issue-gitlab4j.json,   5,  17, null
            """)
    void readsWhichTicketAndWhoActed(String event, String file, long project, long iid, Long actor) throws IOException {
        WebhookParser.Trigger t = parser.parse(event, fixture(file));
        assertNull(t.ignoredBecause());
        assertEquals(project, t.projectId());
        assertEquals(iid, t.issueIid());
        assertEquals(actor, t.actorId());
    }

    @Test
    void rejectsAnEventOfTheWrongKind() throws IOException {
        byte[] note = fixture("note-hook-issue.json");
        ProblemException e = assertThrows(ProblemException.class, () -> parser.parse("Issue Hook", note));
        assertEquals(400, e.problem().status());
    }

    @Test
    void rejectsBytesAfterTheEvent() throws IOException {
        String event = new String(fixture("issue-hook.json"), StandardCharsets.UTF_8);
        // a NUL would otherwise be accepted and then fail to store (PostgreSQL text holds no NUL): a 500
        for (String tail : new String[] {"\0", "{\"object_kind\":\"push\"}", "}", "garbage"}) {
            byte[] body = (event + tail).getBytes(StandardCharsets.UTF_8);
            ProblemException e = assertThrows(ProblemException.class, () -> parser.parse("Issue Hook", body));
            assertEquals(400, e.problem().status());
        }
        assertEquals(23L, parser.parse("Issue Hook", (event + " \n").getBytes(StandardCharsets.UTF_8)).issueIid(),
                "trailing whitespace is fine");
    }

    @Test
    void readsIdsGivenAsNumbersOrDigitStringsAndRejectsOtherTypes() {
        String template = "{\"object_kind\":\"issue\",\"project\":{\"id\":%s},\"user\":{\"id\":7},"
                + "\"object_attributes\":{\"iid\":%s}}";
        WebhookParser.Trigger t = parser.parse("Issue Hook", String.format(template, "5", "\"12\"").getBytes(StandardCharsets.UTF_8));
        assertEquals(5L, t.projectId());
        assertEquals(12L, t.issueIid());
        assertEquals(7L, t.actorId());
        for (String[] bad : new String[][] {{"5", "true"}, {"5", "2.5"}, {"5", "\"twelve\""}, {"5", "[1]"},
                {"{\"a\":1}", "3"}, {"5", "null"}, {"\"\"", "3"}}) {
            byte[] body = String.format(template, bad[0], bad[1]).getBytes(StandardCharsets.UTF_8);
            ProblemException e = assertThrows(ProblemException.class, () -> parser.parse("Issue Hook", body),
                    "project " + bad[0] + ", iid " + bad[1]);
            assertEquals(400, e.problem().status());
        }
    }

    @Test
    void rejectsBodiesThatAreNotAnEventObject() {
        for (String body : new String[] {"[]", "42", "\"issue\"", "null", "{}", "{\"object_kind\":5}"}) {
            ProblemException e = assertThrows(ProblemException.class,
                    () -> parser.parse("Issue Hook", body.getBytes(StandardCharsets.UTF_8)), body);
            assertEquals(400, e.problem().status());
        }
    }

    @Test
    void aNoteOnSomethingElseThanAnIssueIsIgnored() {
        byte[] body = ("{\"object_kind\":\"note\",\"project_id\":5,\"object_attributes\":{\"noteable_type\":\"MergeRequest\"},"
                + "\"merge_request\":{\"iid\":3}}").getBytes(StandardCharsets.UTF_8);
        assertEquals("the note is not on an issue", parser.parse("Note Hook", body).ignoredBecause());
    }

    @Test
    void dedupeKeyPrefersIdempotencyKey() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        assertEquals("idem:k1", WebhookParser.dedupeKey("k1", "u1", "Note Hook", body));
        assertEquals(WebhookParser.dedupeKey(null, "u1", "Note Hook", body), WebhookParser.dedupeKey(null, "u1", "Note Hook", body));
        assertNotEquals(WebhookParser.dedupeKey(null, "u1", "Note Hook", body),
                WebhookParser.dedupeKey(null, "u1", "Note Hook", "{ }".getBytes(StandardCharsets.UTF_8)));
    }
}
