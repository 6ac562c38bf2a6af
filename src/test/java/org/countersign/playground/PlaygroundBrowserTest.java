package org.countersign.playground;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import org.countersign.browser.Chromium;
import org.countersign.gitlab.sim.SimIssue;
import org.countersign.gitlab.sim.SimNote;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The playground as a newcomer uses it, in headless Chromium: the sample board, a close without review
 * undone, a reviewed close that stands, a reminder on the ticket that waited two days. What the page
 * shows is checked against the simulated GitLab's own state.
 */
@QuarkusTest
@TestProfile(PlaygroundProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlaygroundBrowserTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static Chromium chromium;

    @BeforeAll
    static void browser() {
        chromium = Chromium.start();
    }

    @AfterAll
    static void closeBrowser() {
        if (chromium != null) { // null when Chromium could not start: its own error says why
            chromium.close();
        }
    }

    private static String board(String as) {
        return "http://127.0.0.1:" + PlaygroundProfile.HTTP_PORT + "/playground?as=" + as;
    }

    private static PlaygroundWorld world() {
        return Playground.current().orElseThrow(() -> new AssertionError("the playground is not running"));
    }

    private static SimIssue ticket(String title) {
        return world().issues().stream().filter(i -> i.title().startsWith(title)).findFirst().orElseThrow();
    }

    private static List<SimNote> botNotes(SimIssue issue) {
        PlaygroundWorld w = world();
        return w.sim.notes(w.project, issue.iid()).stream().filter(n -> n.author().id() == w.bot.id()).toList();
    }

    private static WebElement card(SimIssue issue) {
        return chromium.driver().findElement(By.id("t" + issue.iid()));
    }

    private static void press(SimIssue issue, String button) {
        card(issue).findElement(By.xpath(".//button[normalize-space()='" + button + "']")).click();
    }

    /** Reloads the board until the ticket's card shows {@code text}. */
    private static void awaitOnCard(String as, SimIssue issue, String text) {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(300)).until(() -> {
            chromium.open(board(as));
            return card(issue).getText().contains(text);
        });
    }

    @Test
    @Order(1)
    void sampleBoardHasTicketsInEachColumnAndTheWaitingOneWasReminded() {
        SimIssue waiting = ticket("Patch the hypervisors");
        awaitOnCard("bob", waiting, "has been waiting in To validate");
        String page = chromium.driver().findElement(By.tagName("main")).getText();
        for (String column : List.of("Doing", "To validate", "Closed")) {
            assertTrue(page.contains(column), column + " column: " + page);
        }
        assertTrue(card(waiting).getText().contains("@carol @dave this ticket has been waiting"), card(waiting).getText());
        assertEquals(5, chromium.driver().findElements(By.cssSelector("article.card")).size());
        chromium.screenshot("playground");
    }

    @Test
    @Order(2)
    void closeWithoutReviewIsUndoneAndAReviewedCloseStands() {
        long start = System.nanoTime();
        SimIssue unreviewed = ticket("Rotate the TLS certificates");
        chromium.open(board("bob"));
        press(unreviewed, "Close");
        // the page reloads itself two seconds after a move: Countersign's answer is there
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(300))
                .until(() -> card(unreviewed).getText().contains("Countersign reopened it"));
        long undoneMs = (System.nanoTime() - start) / 1_000_000;
        SimIssue after = world().sim.issue(world().project, unreviewed.iid());
        assertTrue(!after.isClosed() && after.labels().contains(PlaygroundWorld.REVIEW), "reopened, back in To validate");
        chromium.driver().executeScript("arguments[0].scrollIntoView()", card(unreviewed));
        chromium.screenshot("playground-undone-close");

        SimIssue reviewed = ticket("Upgrade PostgreSQL to 17");
        chromium.open(board("carol"));
        press(reviewed, "Close");
        await().atMost(PATIENCE).until(() -> world().sim.issue(world().project, reviewed.iid()).isClosed());
        // it stays closed: the reviewed close is accepted and nothing is posted about it
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> world().sim.issue(world().project, reviewed.iid()).isClosed() && botNotes(reviewed).isEmpty());
        chromium.open(board("carol"));
        assertTrue(chromium.driver().findElement(By.id("t" + reviewed.iid())).getText().startsWith("#" + reviewed.iid()));
        System.out.printf("playground: close to undone close seen in the browser: %d ms%n", undoneMs);
    }

    @Test
    @Order(3)
    void signoffByTheImplementerIsRefusedOnThePage() {
        SimIssue unreviewed = ticket("Rotate the TLS certificates");
        chromium.open(board("bob"));
        WebElement box = card(unreviewed).findElement(By.tagName("textarea"));
        box.clear();
        box.sendKeys("/signoff checked the new certificates myself");
        card(unreviewed).findElement(By.xpath(".//button[normalize-space()='Comment']")).click();
        awaitOnCard("bob", unreviewed, "you are an implementer of this ticket");
    }

    @Test
    @Order(4)
    void theUndoneClosesNoteLeadsToItsTicketPageAfterSigningInToTheSimulatedGitLab() {
        SimIssue unreviewed = ticket("Rotate the TLS certificates");
        chromium.open(board("bob"));
        // the link Countersign's note carries (COUNTERSIGN_PUBLIC_URL), rendered as GitLab renders Markdown links
        WebElement link = card(unreviewed).findElement(By.linkText("Why, and the audit trail, on Countersign"));
        String page = "http://127.0.0.1:" + PlaygroundProfile.HTTP_PORT + "/projects/" + world().project.id()
                + "/tickets/" + unreviewed.iid();
        assertEquals(page, link.getAttribute("href"));
        link.click();
        // not signed in: Countersign sends the browser to the simulated GitLab, whose sign-in page says whom to be
        await().atMost(PATIENCE).until(() -> !chromium.driver().findElements(By.id("user_login")).isEmpty());
        String signIn = chromium.driver().findElement(By.tagName("body")).getText();
        assertTrue(signIn.contains("sign in as alice, bob, carol, dave, rita, with any password"), signIn);
        chromium.driver().findElement(By.id("user_login")).sendKeys("carol");
        chromium.driver().findElement(By.id("user_password")).sendKeys("anything");
        chromium.driver().findElement(By.cssSelector("button[type=submit]")).click();
        await().atMost(PATIENCE).until(() -> chromium.driver().getCurrentUrl().equals(page));
        String ticketPage = chromium.driver().findElement(By.tagName("main")).getText();
        assertTrue(ticketPage.contains("Rotate the TLS certificates"), ticketPage);
        assertTrue(ticketPage.contains("Entered the review column"), ticketPage);
        assertTrue(ticketPage.contains("@bob (assignee, moved it to To validate)"), ticketPage);
        assertTrue(ticketPage.contains("0 of 1 required sign-offs"), ticketPage);
        assertTrue(ticketPage.contains("CLOSE_REJECTED"), "the undone close is in the timeline: " + ticketPage);
        chromium.screenshot("playground-ticket-page");

        // signed in now: the queue names the waiting tickets and who may sign them off
        chromium.open("http://127.0.0.1:" + PlaygroundProfile.HTTP_PORT + "/queue");
        String queue = chromium.driver().findElement(By.tagName("main")).getText();
        assertTrue(queue.contains("Rotate the TLS certificates") && queue.contains("Patch the hypervisors"), queue);
        assertTrue(chromium.driver().findElement(By.cssSelector("nav .who")).getText().contains("@carol"));
    }
}
