package org.countersign.people;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import org.countersign.e2e.GitLabWorld;
import org.countersign.gitlab.sim.SimOidcProvider;

/**
 * Log in with GitLab on, on top of {@link GitLabWorld} (same simulated GitLab, same database): an OAuth
 * application registered in the simulated GitLab (its callback URL is set once the service's port is
 * known) and COUNTERSIGN_PUBLIC_URL set, so notes link to the ticket pages. Declare it with
 * {@code restrictToAnnotatedClass = true} next to GitLabWorld; it starts after it ({@link #order()}).
 */
public class LoginWorld implements QuarkusTestResourceLifecycleManager {

    public static final String PUBLIC_URL = "https://countersign.example.org";

    private static volatile LoginWorld current;

    public volatile SimOidcProvider.Application app;

    public static LoginWorld currentLogin() {
        return current;
    }

    @Override
    public Map<String, String> start() {
        app = GitLabWorld.current().sim.registerOAuthApplication("Countersign", "http://127.0.0.1:9/unset");
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
