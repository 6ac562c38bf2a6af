package org.countersign.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.util.List;
import org.countersign.config.RunMode;
import org.countersign.gitlab.sim.GitLabSimulator;
import org.countersign.gitlab.sim.SimBoard;
import org.countersign.gitlab.sim.SimBoardList;
import org.countersign.gitlab.sim.SimLabel;
import org.countersign.gitlab.sim.SimProject;
import org.countersign.gitlab.sim.SimWebhook;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code quarkus-run.jar setup} in command mode against the simulator ({@link SetupWorld}). GitLab's rules it
 * relies on: managing project hooks needs Maintainer (lib/api/project_hooks.rb {@code authorize_admin_project};
 * https://docs.gitlab.com/api/project_webhooks/), labels and board lists Reporter/Planner (lib/api/labels.rb,
 * lib/api/boards.rb; https://docs.gitlab.com/api/labels/, https://docs.gitlab.com/api/boards/), a hook's token is
 * never shown back, and a trigger not given on creation takes the column default (push on, the others off).
 */
@QuarkusMainTest
class SetupCommandTest {

    private static SetupWorld world;

    @BeforeAll
    static void world() {
        world = SetupWorld.startAsSystemProperties();
    }

    @AfterAll
    static void end() {
        world.stopAndClearSystemProperties();
    }

    @BeforeEach
    void oneShot() {
        System.setProperty(RunMode.COMMAND_PROPERTY, "setup");
    }

    @AfterEach
    void service() {
        System.clearProperty(RunMode.COMMAND_PROPERTY);
    }

    @Test
    void preparesEveryProjectNamesWhatNeedsAPersonAndASecondRunChangesNothing(QuarkusMainLauncher launcher) {
        // 1. The bot is only Developer in ops/beta: everything it may do is done, the webhook needs a person.
        LaunchResult first = launcher.launch("setup");
        String out1 = first.getOutput();
        SetupWorld w = world;
        GitLabSimulator sim = w.sim;
        assertEquals(CountersignMain.NOT_READY, first.exitCode(), out1);
        assertTrue(out1.contains("needs a person  webhook: the bot needs the Maintainer role to manage webhooks"), out1);
        assertTrue(out1.contains("needs a person  bot role (@countersign-bot): Developer"), out1);
        assertTrue(out1.contains("created         label \"To validate\""), out1);
        assertTrue(out1.contains("created         label \"Review owed\""), "the emergency path's label: " + out1);
        assertTrue(out1.contains("Not ready"), out1);

        assertTrue(labelNames(sim, w.alpha).contains("To validate"));
        SimBoard alphaBoard = single(sim.boards(w.alpha));
        assertEquals("Development", alphaBoard.name());
        assertEquals(List.of("To validate"), listLabels(alphaBoard));
        SimWebhook alphaHook = single(sim.webhooks(w.alpha));
        assertEquals(SetupWorld.HOOK_URL, alphaHook.url());
        assertEquals(SetupWorld.SECRET, alphaHook.secretToken());
        assertAllTriggers(alphaHook);

        assertEquals(List.of("Doing", "To validate"), listLabels(single(sim.boards(w.beta))), "appended to the existing board");
        SimWebhook betaHook = single(sim.webhooks(w.beta));
        assertEquals("an-old-secret", betaHook.secretToken(), "a Developer cannot touch the hook");
        assertFalse(betaHook.pushEvents());

        // 2. Someone gives the bot Maintainer: the hand-made hook gets every trigger and the secret.
        sim.setAccessLevel(w.beta, w.bot, GitLabSimulator.MAINTAINER);
        LaunchResult second = launcher.launch("setup");
        assertEquals(0, second.exitCode(), second.getOutput());
        assertTrue(second.getOutput().contains("updated         webhook: " + SetupWorld.HOOK_URL + ": turned on push events, "
                + "confidential issues events, confidential comments"), second.getOutput());
        assertTrue(second.getOutput().contains("Ready: every watched project is set up."), second.getOutput());
        betaHook = single(sim.webhooks(w.beta));
        assertEquals(SetupWorld.SECRET, betaHook.secretToken());
        assertAllTriggers(betaHook);

        // 3. Again: nothing to do, no write reaches GitLab, nothing changes.
        Object before = snapshot(sim, w);
        sim.resetRequestCounts();
        LaunchResult third = launcher.launch("setup");
        String out3 = third.getOutput();
        assertEquals(0, third.exitCode(), out3);
        assertFalse(out3.contains("created "), out3);
        assertFalse(out3.contains("updated "), out3);
        assertFalse(out3.contains("needs a person"), out3);
        assertTrue(out3.contains("already right   webhook: " + SetupWorld.HOOK_URL), out3);
        assertEquals(before, snapshot(sim, w));
        assertTrue(sim.requestCounts().keySet().stream().noneMatch(k -> k.startsWith("POST") || k.startsWith("PUT")),
                sim.requestCounts().toString());
        assertTrue(sim.requestCount("GET", "/projects/:id/hooks") >= 2, "it did look");
    }

    private static void assertAllTriggers(SimWebhook h) {
        assertTrue(h.pushEvents() && h.issuesEvents() && h.confidentialIssuesEvents() && h.noteEvents()
                && h.confidentialNoteEvents() && h.enableSslVerification(), h.toString());
    }

    private static List<Object> snapshot(GitLabSimulator sim, SetupWorld w) {
        return List.of(sim.labels(w.alpha), sim.labels(w.beta), sim.boards(w.alpha), sim.boards(w.beta),
                sim.webhooks(w.alpha), sim.webhooks(w.beta));
    }

    private static List<String> labelNames(GitLabSimulator sim, SimProject p) {
        return sim.labels(p).stream().map(SimLabel::name).toList();
    }

    private static List<String> listLabels(SimBoard b) {
        return b.lists().stream().map(SimBoardList::label).map(SimLabel::name).toList();
    }

    private static <T> T single(List<T> list) {
        assertEquals(1, list.size(), list.toString());
        return list.get(0);
    }
}
