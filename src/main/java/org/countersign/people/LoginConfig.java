package org.countersign.people;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Log in with GitLab (OpenID Connect, GitLab as the provider; the issuer is COUNTERSIGN_GITLAB_URL).
 * Both unset: the pages answer "login not configured" (503) and {@code /api/v1} takes tokens only.
 */
@ConfigMapping(prefix = "countersign.oidc")
public interface LoginConfig {

    /** COUNTERSIGN_OIDC_CLIENT_ID: the Application ID of the GitLab application (Admin area or group/user settings). */
    @WithName("client-id")
    Optional<String> clientId();

    /** COUNTERSIGN_OIDC_CLIENT_SECRET: that application's secret. Also keys the encrypted session cookie. */
    @WithName("client-secret")
    Optional<String> clientSecret();

    default boolean enabled() {
        return clientId().filter(s -> !s.isBlank()).isPresent();
    }

    /** The problems with these settings, one sentence each naming the environment variable. */
    static List<String> problems(LoginConfig c) {
        List<String> out = new ArrayList<>();
        boolean id = c.clientId().filter(s -> !s.isBlank()).isPresent();
        boolean secret = c.clientSecret().filter(s -> !s.isBlank()).isPresent();
        if (id && !secret) {
            out.add("COUNTERSIGN_OIDC_CLIENT_SECRET is not set: log in with GitLab needs the secret of the GitLab "
                    + "application whose id is COUNTERSIGN_OIDC_CLIENT_ID");
        }
        if (secret && !id) {
            out.add("COUNTERSIGN_OIDC_CLIENT_ID is not set: log in with GitLab needs the Application ID that goes with "
                    + "COUNTERSIGN_OIDC_CLIENT_SECRET");
        }
        return out;
    }
}
