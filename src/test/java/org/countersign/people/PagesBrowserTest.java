package org.countersign.people;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import org.countersign.browser.Chromium;
import org.countersign.e2e.E2eSupport;
import org.countersign.e2e.GitLabWorld;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The pages in a real browser (headless Chromium, no JavaScript needed): a reviewer asks for the queue,
 * signs in on the simulated GitLab's sign-in form, comes back logged in, opens a ticket from the queue,
 * then the overview and the audit search. Each page is saved as a screenshot (docs/screenshots with
 * COUNTERSIGN_UPDATE_SCREENSHOTS=true).
 */
@QuarkusTest
@QuarkusTestResource(GitLabWorld.class)
@QuarkusTestResource(value = LoginWorld.class, restrictToAnnotatedClass = true)
class PagesBrowserTest extends E2eSupport {

    @TestHTTPResource("/")
    URL root;

    @BeforeEach
    void registerCallback() {
        LoginWorld login = LoginWorld.currentLogin();
        login.app = sim.oidc().setRedirectUri(login.app, root.toString().replaceAll("/$", "") + GitLabLogin.CALLBACK);
    }

    @Test
    void aReviewerLogsInWithGitLabAndWalksTheQueueATicketTheOverviewAndTheAudit() {
        long waiting = newTicket("Upgrade the load balancers");
        toReview(world.bob, waiting);
        sim.comment(world.rita, project, waiting, "/signoff lgtm");
        long undone = newTicket("Rebuild the RAID array");
        sim.dragToClosed(world.bob, project, undone);
        awaitBotNote(undone, b -> b.contains("reopened"));
        awaitBotNote(waiting, b -> b.startsWith("@rita your sign-off"));
        settle();
        String base = root.toString().replaceAll("/$", "");

        try (Chromium chromium = Chromium.start()) {
            WebDriverWait wait = new WebDriverWait(chromium.driver(), Duration.ofSeconds(20));
            chromium.open(base + "/queue");
            // not logged in: GitLab's sign-in form
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("user_login")));
            assertTrue(chromium.driver().getCurrentUrl().startsWith(sim.baseUrl() + "/users/sign_in"),
                    chromium.driver().getCurrentUrl());
            chromium.screenshot("gitlab-sign-in");
            chromium.driver().findElement(By.id("user_login")).sendKeys("carol");
            chromium.driver().findElement(By.id("user_password")).sendKeys("any password");
            chromium.driver().findElement(By.cssSelector("button[type=submit]")).click();

            // back on the queue, logged in
            wait.until(ExpectedConditions.urlToBe(base + "/queue"));
            assertEquals("Review queue — Countersign", chromium.driver().getTitle());
            assertTrue(chromium.driver().findElement(By.cssSelector("nav .who")).getText().contains("@carol"));
            WebElement row = chromium.driver().findElement(By.xpath("//table[contains(@class,'queue')]//tr[td/a[contains(., 'Upgrade the load balancers')]]"));
            List<WebElement> cells = row.findElements(By.tagName("td"));
            assertTrue(cells.get(4).getText().contains("@alice") && cells.get(4).getText().contains("@bob"), cells.get(4).getText());
            assertEquals("@carol, @dave", cells.get(5).getText());
            chromium.screenshot("queue");

            // the ticket page from the queue
            row.findElement(By.tagName("a")).click();
            wait.until(ExpectedConditions.urlToBe(base + "/projects/" + project.id() + "/tickets/" + waiting));
            String ticket = chromium.driver().findElement(By.tagName("main")).getText();
            assertTrue(ticket.contains("Why it stands here") && ticket.contains("awaiting signoff"), ticket);
            assertTrue(ticket.contains("Sign-off by @rita") && ticket.contains("refused"), ticket);
            assertTrue(ticket.contains("0 of 1 required sign-offs: 1 missing"), ticket);
            assertTrue(chromium.driver().findElements(By.cssSelector("ol.timeline li")).size() >= 2, ticket);
            chromium.screenshot("ticket");

            // the ticket whose close was undone: back in progress, the rejection in its timeline
            chromium.open(base + "/projects/" + project.id() + "/tickets/" + undone);
            String undonePage = chromium.driver().findElement(By.tagName("main")).getText();
            assertTrue(undonePage.contains("CLOSE_REJECTED") && undonePage.contains("reopened"), undonePage);
            chromium.screenshot("ticket-undone");

            // the overview: columns, waiting tickets, recent undone closes
            chromium.open(base + "/");
            String overview = chromium.driver().findElement(By.tagName("main")).getText();
            assertTrue(overview.contains("Recently undone closes") && overview.contains("#" + undone), overview);
            chromium.screenshot("overview");

            // the audit search, by form
            chromium.open(base + "/audit");
            chromium.driver().findElement(By.name("ticket")).sendKeys(String.valueOf(undone));
            new org.openqa.selenium.support.ui.Select(chromium.driver().findElement(By.name("project")))
                    .selectByValue(String.valueOf(project.id()));
            chromium.driver().findElement(By.cssSelector("form.search button")).click();
            wait.until(ExpectedConditions.urlContains("ticket=" + undone));
            String audit = chromium.driver().findElement(By.tagName("main")).getText();
            assertTrue(audit.contains("CLOSE_REJECTED") && audit.matches("(?s).*Export all \\d+ entries: CSV · JSON.*"), audit);
            chromium.screenshot("audit");
        }
    }
}
