package org.countersign.probes;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMailUtil;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.countersign.e2e.E2eSupport;
import org.countersign.e2e.GitLabWorld;
import org.countersign.gitlab.sim.SimIssue;
import org.countersign.gitlab.sim.SimNote;
import org.countersign.store.ProbeAlertQueue;
import org.countersign.store.ProbeStore;
import org.junit.jupiter.api.Test;

/**
 * Issue 8 end to end: pings over HTTP, the sweep (with the time given, as the injected clock would), the
 * ticket on the simulated board going through the unchanged gate, the status page and JSON, the signed
 * webhook and the e-mail (GreenMail, a real SMTP server).
 */
@QuarkusTest
@QuarkusTestResource(GitLabWorld.class)
@QuarkusTestResource(value = ProbeWorld.class, restrictToAnnotatedClass = true)
class ProbeFlowTest extends E2eSupport {

    @Inject
    ProbeJobs jobs;

    @Inject
    ProbeStore store;

    @Inject
    ProbeAlertQueue alerts;

    @Inject
    ProbesSettings settings;

    private ProbeWorld probes() {
        return ProbeWorld.currentProbes();
    }

    private List<SimIssue> probeTickets(String name) {
        return sim.issues(project).stream().filter(i -> i.title().equals("Probe down: " + name)).toList();
    }

    private String statusOf(String slug) {
        JsonPath json = given().get("/status.json").then().statusCode(200).extract().jsonPath();
        return json.getString("checks.find { it.slug == '" + slug + "' }.status");
    }

    @Test
    void missedCheckOpensOneTicketFailuresCommentRecoveryNotesAndTheGateStillGoverns() throws Exception {
        String key = ProbeWorld.BACKUP_KEY;
        given().body("backup of 26 Nov: 41 GB written").post("/ping/" + key).then().statusCode(200)
                .contentType(io.restassured.http.ContentType.TEXT);
        assertEquals("up", statusOf("nightly-backup"));

        // the job misses its schedule: period 1d + grace 2h later, swept by four sweepers at once (several
        // instances on one database): one transition, one ticket
        Instant missed = Instant.now().plus(Duration.ofHours(26)).plusSeconds(60);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Integer>> sweeps = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sweeps.add(pool.submit((Callable<Integer>) () -> jobs.sweepAt(missed)));
        }
        int made = 0;
        for (Future<Integer> f : sweeps) {
            made += f.get();
        }
        long checkId = store.find("nightly-backup").orElseThrow().id();
        assertEquals(1, store.transitions(checkId).stream().filter(t -> t.to().equals("down")).count(), "one transition to down");
        assertTrue(made >= 1);
        // and several alert senders at once
        List<Future<Integer>> senders = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            senders.add(pool.submit((Callable<Integer>) () -> jobs.sendAlerts()));
        }
        for (Future<Integer> f : senders) {
            f.get();
        }
        pool.shutdown();

        SimIssue ticket = await().atMost(PATIENCE).until(() -> probeTickets("Nightly backup"), l -> !l.isEmpty()).get(0);
        assertTrue(ticket.labelDetails().stream().anyMatch(l -> l.name().equals("Probe alert")), ticket.toString());
        String d = ticket.description();
        assertTrue(d.startsWith("@carol the check **Nightly backup** (`nightly-backup`) is down."), d);
        assertTrue(d.contains("**Expected:** a ping every 1d (grace 2h), each run lasting at least 1m"), d);
        assertTrue(d.contains("**What happened:** missed: no ping by its due time"), d);
        assertTrue(d.contains("backup of 26 Nov: 41 GB written"), "the last run's log: " + d);
        assertTrue(d.contains("https://status.example.org/ping/<ping-key>"), d);
        assertFalse(d.contains(key), "never the ping key");
        assertEquals("down", statusOf("nightly-backup"));
        assertTrue(given().get("/status").asString().contains("<span class=\"name\">Nightly backup</span><span class=\"pill down\">down</span>"));

        // further failures comment on the open ticket: a run that ends too fast, then an explicit failure
        given().post("/ping/" + key + "/start").then().statusCode(200);
        given().body("done in no time?").post("/ping/" + key + "/0").then().statusCode(200);
        given().body("tar: /srv: No space left on device").post("/ping/" + key + "/fail").then().statusCode(200);
        awaitBotNote(ticket.iid(), b -> b.contains("failed again") && b.contains("ran for less than min-duration"));
        SimNote failed = awaitBotNote(ticket.iid(), b -> b.contains("failed again") && b.contains("No space left on device"));
        assertTrue(failed.body().startsWith("@carol "), failed.body());
        // like every note Countersign posts, it links to the ticket's page (COUNTERSIGN_PUBLIC_URL)
        String page = "(https://status.example.org/projects/" + ticket.projectId() + "/tickets/" + ticket.iid() + ")";
        assertTrue(failed.body().contains(page), failed.body());
        assertEquals(1, probeTickets("Nightly backup").size(), "still one ticket");

        // recovery: a note that says so and that closing still needs a sign-off
        given().get("/ping/" + key).then().statusCode(200);
        SimNote up = awaitBotNote(ticket.iid(), b -> b.contains("is up again"));
        assertTrue(up.body().contains("Closing this ticket still needs a sign-off"), up.body());
        assertTrue(up.body().contains(page), up.body());
        assertEquals("up", statusOf("nightly-backup"));
        assertTrue(given().get("/status").asString().contains("<span class=\"name\">Nightly backup</span><span class=\"pill up\">up</span>"));

        // the gate governs probe tickets like any other: a close without sign-off is undone
        sim.close(world.bob, project, ticket.iid());
        awaitBotNote(ticket.iid(), b -> b.contains("reopened"));
        awaitIssue(ticket.iid(), i -> !i.isClosed());
        settle();
        assertEquals(1, probeTickets("Nightly backup").size());

        // reviewed and signed off, the close stands; the next failure then opens a new ticket
        sim.moveToList(world.bob, project, ticket.iid(), null, org.countersign.e2e.GitLabWorld.REVIEW);
        sim.comment(world.dave, project, ticket.iid(), "/signoff restore tested, disk space alert added");
        awaitBotNote(ticket.iid(), b -> b.contains("Sign-off by @dave recorded"));
        sim.close(world.bob, project, ticket.iid());
        settle();
        assertTrue(issue(ticket.iid()).isClosed(), "a reviewed close stands");
        given().body("exit 2").post("/ping/" + key + "/2").then().statusCode(200);
        List<SimIssue> both = await().atMost(PATIENCE).until(() -> probeTickets("Nightly backup"), l -> l.size() == 2);
        SimIssue second = both.stream().filter(i -> i.iid() != ticket.iid()).findFirst().orElseThrow();
        assertFalse(second.isClosed());
        assertTrue(second.description().contains("exit status: the job ended with exit status 2"), second.description());
        given().get("/ping/" + key).then().statusCode(200);
        awaitBotNote(second.iid(), b -> b.contains("is up again"));

        // the webhook: one signed delivery per alert (down ×3, up, down, up), each verifiable with the secret
        await().atMost(PATIENCE).until(() -> backupHooks().size() >= 6);
        settle();
        List<ProbeWorld.Received> hooks = backupHooks();
        assertEquals(6, hooks.size(), hooks.toString());
        for (ProbeWorld.Received r : hooks) {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(ProbeWorld.WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            assertEquals("sha256=" + HexFormat.of().formatHex(mac.doFinal(r.body())), r.headers().get("x-countersign-signature"));
            assertFalse(new String(r.body(), StandardCharsets.UTF_8).contains(key));
        }
        JsonPath last = JsonPath.from(new String(hooks.get(5).body(), StandardCharsets.UTF_8));
        assertEquals("check.up", last.getString("event"));
        assertEquals("nightly-backup", last.getString("check.slug"));

        // the e-mails, through a real SMTP server: to both addresses, down and up
        List<MimeMessage> all = await().atMost(PATIENCE).until(() -> backupMails(), l -> l.size() >= 12);
        assertEquals(12, all.size(), "6 alerts × 2 recipients");
        MimeMessage[] mails = all.toArray(new MimeMessage[0]);
        assertTrue(mails[0].getSubject().equals("[Countersign] Probe down: Nightly backup"), mails[0].getSubject());
        assertTrue(GreenMailUtil.getBody(mails[0]).contains("missed"), GreenMailUtil.getBody(mails[0]));
        assertTrue(List.of(mails).stream().anyMatch(m -> {
            try {
                return m.getSubject().equals("[Countersign] Probe up: Nightly backup");
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        }));
        assertTrue(alerts.outcomes(checkId, "TICKET").get(0).startsWith("DONE: opened ticket"), alerts.outcomes(checkId, "TICKET").toString());
    }

    private List<ProbeWorld.Received> backupHooks() {
        return probes().webhooks.stream()
                .filter(r -> new String(r.body(), StandardCharsets.UTF_8).contains("\"slug\":\"nightly-backup\"")).toList();
    }

    private List<MimeMessage> backupMails() throws jakarta.mail.MessagingException {
        List<MimeMessage> out = new ArrayList<>();
        for (MimeMessage m : probes().mail.getReceivedMessages()) {
            if (m.getSubject().endsWith(": Nightly backup")) {
                out.add(m);
            }
        }
        return out;
    }

    @Test
    void pingUrlsAnswerAndAreRateLimited() {
        String key = ProbeWorld.RUNAWAY_KEY;
        given().get("/ping/" + key + "/start").then().statusCode(200).body(org.hamcrest.Matchers.equalTo("OK\n"));
        given().get("/ping/" + key + "/0").then().statusCode(200);
        given().get("/ping/00000000-0000-4000-8000-000000000000").then().statusCode(404);
        given().get("/ping/not-a-key").then().statusCode(404);
        given().get("/ping/" + key + "/stop").then().statusCode(404);
        given().get("/ping/" + key + "/256").then().statusCode(404);

        // the first 10 kB of a POST body are kept as the run's log
        String log = "x".repeat(15_000);
        given().contentType("text/plain").body(log).post("/ping/" + key).then().statusCode(200);
        long id = store.find("runaway").orElseThrow().id();
        assertEquals(10 * 1024, store.lastRun(id, java.time.Instant.now()).orElseThrow().body().length());

        // a runaway loop gets 429, never a 5xx
        List<Integer> codes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            codes.add(given().get("/ping/" + key).statusCode());
        }
        assertTrue(codes.contains(429), codes.toString());
        assertTrue(codes.stream().allMatch(c -> c == 200 || c == 429), codes.toString());
    }

    @Test
    void statusPageShowsPublicChecksAndProjectsButNoKeyNorPrivateCheck() {
        String html = given().get("/status").then().statusCode(200).contentType("text/html").extract().asString();
        assertTrue(html.contains("Nightly backup"), html);
        assertTrue(html.contains("infra/interventions"), html);
        assertFalse(html.contains("Secret job"), "private checks stay private");
        assertFalse(html.contains("<script"), "no JavaScript");
        assertFalse(html.contains("https://cdn"), "no CDN");
        int sections = html.split("<section class=\"check\"").length - 1;
        assertTrue(sections >= 3, html);
        // a bar per public check covering 90 days: a span per day with downtime, one per run of days alike
        java.util.regex.Matcher span = java.util.regex.Pattern
                .compile("<span class=\"(up|partial|down|none)(?: d(\\d+))?\" title=\"20").matcher(html);
        int days = 0;
        while (span.find()) {
            days += span.group(2) == null ? 1 : Integer.parseInt(span.group(2));
        }
        assertEquals(90 * sections, days, "a 90-day bar per public check");
        String json = given().get("/status.json").then().statusCode(200).extract().asString();
        for (String text : List.of(html, json)) {
            assertFalse(text.contains(ProbeWorld.BACKUP_KEY) || text.contains(ProbeWorld.PRIVATE_KEY)
                    || text.contains(ProbeWorld.RUNAWAY_KEY) || text.contains("test-admin-token"));
        }
        JsonPath j = JsonPath.from(json);
        assertEquals("infra/interventions", j.getString("projects[0].path"));
        assertTrue(j.getList("checks.slug").contains("generated-key"));
        assertFalse(j.getList("checks.slug").contains("secret-job"));

        String svg = given().get("/badge/nightly-backup.svg").then().statusCode(200).contentType("image/svg+xml").extract().asString();
        assertTrue(svg.startsWith("<svg") && svg.contains("Nightly backup"), svg);
        given().get("/badge/secret-job.svg").then().statusCode(404);
        given().get("/badge/nope.svg").then().statusCode(404);
    }

    @io.quarkus.test.common.http.TestHTTPResource("/status")
    java.net.URL statusUrl;

    /** The page as a person sees it: headless Chromium (Debian's chromium), no script needed; screenshot in docs/. */
    @Test
    void statusPageInChromium() throws Exception {
        // something to show: a check that failed
        String auth = "Bearer test-admin-token";
        String key = given().header("Authorization", auth).contentType("application/json")
                .body("{\"slug\":\"certificates\",\"name\":\"TLS certificate renewal\",\"period\":\"1d\",\"grace\":\"1h\"}")
                .post("/api/checks").then().statusCode(201).extract().jsonPath().getString("'ping-key'");
        given().post("/ping/" + key + "/1").then().statusCode(200);
        try (org.countersign.browser.Chromium chromium = org.countersign.browser.Chromium.start()) {
            chromium.open(statusUrl.toString());
            org.openqa.selenium.WebDriver page = chromium.driver();
            assertEquals("Status — Countersign", page.getTitle());
            assertEquals(0, page.findElements(org.openqa.selenium.By.tagName("script")).size(), "no JavaScript");
            assertEquals("Some checks are down", page.findElement(org.openqa.selenium.By.cssSelector(".banner")).getText());
            org.openqa.selenium.WebElement cert = page.findElement(org.openqa.selenium.By.id("check-certificates"));
            assertEquals("down", cert.findElement(org.openqa.selenium.By.cssSelector(".pill")).getText());
            List<org.openqa.selenium.WebElement> bar = cert.findElements(org.openqa.selenium.By.cssSelector(".bar span"));
            // created today and down: 89 days without data drawn as one span, then today's
            assertEquals(2, bar.size(), "runs of days alike are one span");
            assertEquals("none d89", bar.get(0).getAttribute("class"));
            org.openqa.selenium.Dimension before = bar.get(0).getSize();
            org.openqa.selenium.Dimension today = bar.get(1).getSize();
            assertTrue(today.getWidth() > 0 && today.getHeight() >= 20, "the bar is drawn");
            assertTrue(before.getWidth() > 60 * today.getWidth(), "89 days are drawn 89 days wide: " + before + " vs " + today);
            assertEquals("infra/interventions", page.findElement(org.openqa.selenium.By.cssSelector("tbody td")).getText());
            java.nio.file.Path shot = chromium.screenshot("status-page");
            assertTrue(java.nio.file.Files.size(shot) > 1000);
        } finally {
            given().header("Authorization", auth).delete("/api/checks/certificates").then().statusCode(204);
        }
    }

    @Test
    void checksAreManagedThroughTheApiWithTheAdminToken() {
        String auth = "Bearer test-admin-token";
        given().get("/api/checks").then().statusCode(401);
        JsonPath all = given().header("Authorization", auth).get("/api/checks").then().statusCode(200).extract().jsonPath();
        assertEquals(ProbeWorld.BACKUP_KEY, all.getString("find { it.slug == 'nightly-backup' }['ping-key']"));
        String generated = all.getString("find { it.slug == 'generated-key' }['ping-key']");
        assertEquals(36, generated.length(), "a ping key is generated when the file gives none");

        given().header("Authorization", auth).contentType("application/json")
                .body("{\"slug\":\"db-dump\",\"name\":\"DB dump\",\"cron\":\"0 2 * * *\",\"timezone\":\"Europe/Paris\",\"grace\":\"30m\"}")
                .post("/api/checks").then().statusCode(201);
        String bad = given().header("Authorization", auth).contentType("application/json")
                .body("{\"slug\":\"x\",\"name\":\"X\",\"period\":\"often\",\"grace\":\"1h\"}")
                .post("/api/checks").then().statusCode(400).contentType("application/problem+json").extract().asString();
        assertTrue(bad.contains("check 'x': key 'period': 'often' is not a duration"), bad);
        given().header("Authorization", auth).contentType("application/json")
                .body("{\"slug\":\"db-dump\",\"name\":\"Again\",\"period\":\"1d\",\"grace\":\"1h\"}")
                .post("/api/checks").then().statusCode(409);
        String key = given().header("Authorization", auth).get("/api/checks/db-dump").then().statusCode(200)
                .extract().jsonPath().getString("'ping-key'");
        given().get("/ping/" + key).then().statusCode(200);
        given().header("Authorization", auth).delete("/api/checks/nightly-backup").then().statusCode(409);
        given().header("Authorization", auth).delete("/api/checks/db-dump").then().statusCode(204);
        given().get("/ping/" + key).then().statusCode(404);
    }

    /**
     * Issue 8 follow-up: an alert whose webhook receiver keeps failing ends DEAD, is listed by
     * {@code GET /admin/dead-letters}, degrades {@code /q/health/well}, and once the receiver is fixed the
     * admin retry sends it.
     */
    @Test
    void aDeadProbeAlertIsListedDegradesHealthAndIsSentByARetry() {
        String auth = "Bearer test-admin-token";
        String slug = "hook-refused";
        probes().failingSlugs.add(slug);
        try {
            String key = given().header("Authorization", auth).contentType("application/json")
                    .body("{\"slug\":\"" + slug + "\",\"name\":\"Hook refused\",\"period\":\"1d\",\"grace\":\"1h\",\"public\":false}")
                    .post("/api/checks").then().statusCode(201).extract().jsonPath().getString("'ping-key'");
            long checkId = store.find(slug).orElseThrow().id();
            given().body("exit 3").post("/ping/" + key + "/3").then().statusCode(200);

            // 3 tries (alert-max-attempts in ProbeWorld), then DEAD with the receiver's answer as the reason
            JsonPath dead = await().atMost(PATIENCE).until(() -> given().header("Authorization", auth).get("/admin/dead-letters")
                    .then().statusCode(200).extract().jsonPath(), j -> j.getList("probeAlerts.findAll { it.checkId == " + checkId
                    + " && it.channel == 'WEBHOOK' }").size() == 1);
            String at = "probeAlerts.find { it.checkId == " + checkId + " && it.channel == 'WEBHOOK' }.";
            assertEquals("DEAD", dead.getString(at + "status"));
            assertEquals("DOWN", dead.getString(at + "event"));
            assertEquals(3, dead.getInt(at + "attempts"));
            assertTrue(dead.getString(at + "reason").contains("answered 500"), dead.getString(at + "reason"));
            long alertId = dead.getLong(at + "id");

            JsonPath health = given().get("/q/health/well").then().statusCode(503).extract().jsonPath();
            String check = "checks.find { it.name == 'dead letters' }.";
            assertEquals("DOWN", health.getString(check + "status"));
            assertTrue(health.getInt(check + "data.'dead probe alerts'") >= 1, health.prettify());
            assertTrue(health.prettify().contains("answered 500") && health.prettify().contains("probe alert dead"), health.prettify());

            // fixed: the retry sends it, once, signed, and it leaves the dead letters
            probes().failingSlugs.remove(slug);
            given().header("Authorization", auth).post("/admin/dead-letters/probe-alerts/" + alertId + "/retry").then().statusCode(200);
            await().atMost(PATIENCE).until(() -> hooksOf(slug).size() == 1);
            assertEquals("check.down", JsonPath.from(new String(hooksOf(slug).get(0).body(), StandardCharsets.UTF_8)).getString("event"));
            assertTrue(alerts.outcomes(checkId, "WEBHOOK").get(0).startsWith("DONE: webhook delivered"),
                    alerts.outcomes(checkId, "WEBHOOK").toString());
            JsonPath after = given().header("Authorization", auth).get("/admin/dead-letters").then().statusCode(200).extract().jsonPath();
            assertTrue(after.getList("probeAlerts.findAll { it.checkId == " + checkId + " }").isEmpty(), after.prettify());
            // a second retry finds nothing parked: 404 problem+json
            given().header("Authorization", auth).post("/admin/dead-letters/probe-alerts/" + alertId + "/retry").then().statusCode(404)
                    .contentType("application/problem+json");
        } finally {
            probes().failingSlugs.remove(slug);
            given().header("Authorization", auth).delete("/api/checks/" + slug);
        }
    }

    private List<ProbeWorld.Received> hooksOf(String slug) {
        return probes().webhooks.stream()
                .filter(r -> new String(r.body(), StandardCharsets.UTF_8).contains("\"slug\":\"" + slug + "\"")).toList();
    }

    /** Issue 8 follow-up: a ping key both in the checks file and on a check added through the API is named, not an SQL error. */
    @Test
    void aPingKeyTakenByAnotherCheckIsNamedClearly() {
        String auth = "Bearer test-admin-token";
        String taken = "7d3f2a10-5b6c-4d7e-8f90-a1b2c3d4e5f6";
        given().header("Authorization", auth).contentType("application/json")
                .body("{\"slug\":\"api-made\",\"name\":\"API made\",\"ping-key\":\"" + taken + "\",\"period\":\"1d\",\"grace\":\"1h\"}")
                .post("/api/checks").then().statusCode(201);
        try {
            // the REST API: another check with that key is a 409 naming both checks and the key
            String conflict = given().header("Authorization", auth).contentType("application/json")
                    .body("{\"slug\":\"copy\",\"name\":\"Copy\",\"ping-key\":\"" + taken + "\",\"period\":\"1d\",\"grace\":\"1h\"}")
                    .post("/api/checks").then().statusCode(409).contentType("application/problem+json").extract().asString();
            assertTrue(conflict.contains("check 'copy': key 'ping-key': " + taken + " is already the ping key of check 'api-made'"), conflict);
            // the checks file (what start-up syncs): the same key on a file check fails with a sentence, and changes nothing
            List<ChecksFile.Declared> file = new ArrayList<>(settings.fileChecks());
            file.addAll(ChecksFile.parseDeclared("checks:\n  - slug: file-made\n    name: File made\n    ping-key: " + taken
                    + "\n    period: 1d\n    grace: 1h\n"));
            ChecksFileException e = org.junit.jupiter.api.Assertions.assertThrows(ChecksFileException.class,
                    () -> store.syncFileChecks(file, Instant.now()));
            assertEquals("COUNTERSIGN_CHECKS_FILE: check 'file-made': key 'ping-key': " + taken + " is already the ping key of check "
                    + "'api-made' (added through the API): give this check another key, or delete that check (DELETE /api/checks/api-made)",
                    e.getMessage());
            assertTrue(store.find("file-made").isEmpty(), "nothing synced");
            assertTrue(store.find("nightly-backup").isPresent());
        } finally {
            given().header("Authorization", auth).delete("/api/checks/api-made").then().statusCode(204);
        }
    }
}
