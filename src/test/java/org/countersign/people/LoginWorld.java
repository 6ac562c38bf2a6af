package org.countersign.people;

import java.util.HashMap;
import java.util.Map;
import org.countersign.e2e.GitLabWorld;
import org.countersign.gitlab.sim.SimOidcProvider;

/**
 * The GitLab world with log in with GitLab on: an OAuth application registered in the simulated GitLab
 * (its callback URL is set once the service's port is known) and COUNTERSIGN_PUBLIC_URL set, so notes
 * link to the ticket pages.
 */
public class LoginWorld extends GitLabWorld {

    public static final String PUBLIC_URL = "https://countersign.example.org";

    private static volatile LoginWorld currentLogin;

    public SimOidcProvider.Application app;

    public static LoginWorld currentLogin() {
        return currentLogin;
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        app = sim.registerOAuthApplication("Countersign", "http://127.0.0.1:9/unset");
        config.put("countersign.oidc.client-id", app.clientId());
        config.put("countersign.oidc.client-secret", app.secret());
        config.put("countersign.public-url", PUBLIC_URL);
        currentLogin = this;
        return config;
    }
}
