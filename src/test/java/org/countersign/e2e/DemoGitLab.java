package org.countersign.e2e;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.countersign.gitlab.sim.GitLabSimulator;
import org.countersign.gitlab.sim.SimUser;

/**
 * Runs the GitLab simulator on its own, with the same team and project as the tests, for trying the
 * service by hand: {@code java -cp … org.countersign.e2e.DemoGitLab [port] [webhook-url]}. It prints
 * the environment to start Countersign with and each person's token; act through GitLab's REST API
 * with those tokens (e.g. {@code curl -X PUT -H "PRIVATE-TOKEN: …" …/issues/1?state_event=close}).
 */
public final class DemoGitLab {

    private DemoGitLab() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 18080;
        String hookUrl = args.length > 1 ? args[1] : "http://127.0.0.1:8080/webhooks/gitlab";
        GitLabWorld world = new GitLabWorld() {
            @Override
            protected GitLabSimulator newSimulator() {
                return GitLabSimulator.start(port);
            }

            @Override
            protected void prepareDatabase() {
                // the service under trial uses its own database
            }
        };
        Map<String, String> config = world.start();
        world.sim.setWebhookUrl(world.hook, hookUrl);
        // The service is not up yet: webhooks about the seed tickets would fail, and 4 failures disable
        // the hook (as GitLab does). They are not sent; Countersign's first reconciliation reads them.
        world.sim.dropWebhooks(true);
        for (String title : new String[] {"Re-enable the nightly backup job", "Rotate TLS certificates"}) {
            long iid = world.sim.createIssue(world.alice, world.project, title, world.bob).iid();
            world.sim.moveToList(world.bob, world.project, iid, null, GitLabWorld.DOING);
            System.out.println("# ticket #" + iid + " '" + title + "' by alice, assigned to bob, in Doing");
        }
        world.sim.awaitWebhooksSent();
        world.sim.dropWebhooks(false);
        System.out.println("GitLab simulator on " + world.sim.baseUrl() + ", webhook to " + hookUrl);
        System.out.println("export COUNTERSIGN_GITLAB_URL=" + config.get("countersign.gitlab.url"));
        System.out.println("export COUNTERSIGN_GITLAB_TOKEN=" + config.get("countersign.gitlab.token"));
        System.out.println("export COUNTERSIGN_WEBHOOK_SECRET=" + config.get("countersign.webhook.secret"));
        System.out.println("export COUNTERSIGN_PROJECTS=" + config.get("countersign.projects"));
        for (SimUser u : new SimUser[] {world.alice, world.bob, world.carol, world.dave, world.rita, world.oscar}) {
            System.out.println("# " + u.username() + " (id " + u.id() + ") token " + u.token());
        }
        System.out.println("# project id " + world.project.id());
        new CountDownLatch(1).await();
    }
}
