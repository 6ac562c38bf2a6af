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
    void dedupeKeyPrefersIdempotencyKey() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        assertEquals("idem:k1", WebhookParser.dedupeKey("k1", "u1", "Note Hook", body));
        assertEquals(WebhookParser.dedupeKey(null, "u1", "Note Hook", body), WebhookParser.dedupeKey(null, "u1", "Note Hook", body));
        assertNotEquals(WebhookParser.dedupeKey(null, "u1", "Note Hook", body),
                WebhookParser.dedupeKey(null, "u1", "Note Hook", "{ }".getBytes(StandardCharsets.UTF_8)));
    }
}
