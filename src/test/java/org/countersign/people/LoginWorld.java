package org.countersign.people;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import org.countersign.e2e.GitLabWorld;
import org.countersign.gitlab.sim.GitLabSimulator;
import org.countersign.gitlab.sim.SimOidcProvider;
import org.countersign.gitlab.sim.SimUser;

/**
 * Log in with GitLab on, on top of {@link GitLabWorld} (same simulated GitLab, same database): an OAuth
 * application registered in the simulated GitLab (its callback URL is set once the service's port is
 * known), COUNTERSIGN_PUBLIC_URL set, so notes link to the ticket pages, and a Guest member (gwen). Declare it with
 * {@code restrictToAnnotatedClass = true} next to GitLabWorld; it starts after it ({@link #order()}).
 */
public class LoginWorld implements QuarkusTestResourceLifecycleManager {

    public static final String PUBLIC_URL = "https://countersign.example.org";

    private static volatile LoginWorld current;

    public volatile SimOidcProvider.Application app;
    /** A Guest of the watched project: GitLab hides confidential issues and internal notes from her. */
    public volatile SimUser gwen;

    public static LoginWorld currentLogin() {
        return current;
    }

    @Override
    public Map<String, String> start() {
        GitLabWorld world = GitLabWorld.current();
        app = world.sim.registerOAuthApplication("Countersign", "http://127.0.0.1:9/unset");
        gwen = world.sim.addUser("gwen", "Gwen Guest");
        world.sim.addMember(world.project, gwen, GitLabSimulator.GUEST);
        current = this;
        return Map.of(
                "countersign.oidc.client-id", app.clientId(),
                "countersign.oidc.client-secret", app.secret(),
                "countersign.public-url", PUBLIC_URL);
    }

    @Override
    public int order() {
        return 1;
    }

    @Override
    public void stop() {
        current = null;
    }
}
