package org.countersign.e2e;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /admin/setup} in the shared end-to-end world, where the board and its labels exist, the bot is
 * Developer (so it cannot manage webhooks: lib/api/project_hooks.rb authorizes admin_project, Maintainer) and
 * COUNTERSIGN_PUBLIC_URL is not set. The report says so, twice the same, and nothing is written to GitLab.
 */
@QuarkusTest
@QuarkusTestResource(GitLabWorld.class)
class SetupEndpointTest extends E2eSupport {

    private static final String ADMIN = "Bearer test-admin-token";

    @Test
    void reportsWhatNeedsAPersonAndChangesNothing() {
        // the shared world has the review label and its board list; a first run may add the labels of the
        // features other tests did not need yet (the emergency label), and nothing needing a person
        given().header("Authorization", ADMIN).post("/admin/setup").then().statusCode(200);
        sim.resetRequestCounts();
        JsonPath first = given().header("Authorization", ADMIN).post("/admin/setup").then().statusCode(200).extract().jsonPath();
        assertFalse(first.getBoolean("ready"));
        List<Map<String, Object>> items = first.getList("items");
        assertTrue(items.contains(Map.of("project", GitLabWorld.PROJECT_PATH, "subject", "label \"To validate\"",
                "outcome", "ALREADY_RIGHT", "detail", "exists")), items.toString());
        assertTrue(items.contains(Map.of("project", GitLabWorld.PROJECT_PATH, "subject", "label \"Review owed\"",
                "outcome", "ALREADY_RIGHT", "detail", "exists")), "the emergency label, made by the first run: " + items);
        assertTrue(items.stream().anyMatch(i -> i.get("subject").equals("board list \"To validate\"")
                && i.get("outcome").equals("ALREADY_RIGHT")), items.toString());
        assertTrue(items.stream().anyMatch(i -> i.get("subject").equals("webhook") && i.get("outcome").equals("NEEDS_PERSON")
                && i.get("detail").toString().startsWith("COUNTERSIGN_PUBLIC_URL is not set")), items.toString());
        assertTrue(items.stream().anyMatch(i -> i.get("subject").toString().startsWith("bot role")
                && i.get("outcome").equals("NEEDS_PERSON")
                && i.get("detail").toString().contains("the bot needs the Maintainer role to manage webhooks")), items.toString());

        JsonPath second = given().header("Authorization", ADMIN).post("/admin/setup").then().statusCode(200).extract().jsonPath();
        assertEquals(first.getList("items"), second.getList("items"));
        // (other tests' leftover work may still post notes meanwhile: only the set-up's writes are counted)
        for (String write : List.of("POST /projects/:id/labels", "POST /projects/:id/boards",
                "POST /projects/:id/boards/:board_id/lists", "POST /projects/:id/hooks", "PUT /projects/:id/hooks/:hook_id")) {
            assertEquals(0, sim.requestCounts().getOrDefault(write, 0L), write);
        }
        assertTrue(sim.requestCounts().getOrDefault("GET /projects/:id/labels", 0L) >= 2, sim.requestCounts().toString());
    }

    @Test
    void needsTheAdminToken() {
        given().post("/admin/setup").then().statusCode(401).contentType("application/problem+json");
        given().header("Authorization", "Bearer wrong").post("/admin/setup").then().statusCode(401);
    }
}
