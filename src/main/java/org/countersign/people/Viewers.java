package org.countersign.people;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.countersign.config.Settings;
import org.countersign.store.ApiTokens;
import org.countersign.web.ProblemException;
import org.countersign.web.SecretToken;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Tells who makes a request: {@code Authorization: Bearer} with the admin token or an API token, else
 * the GitLab login session (OpenID Connect ID token: {@code sub} is the GitLab user id, {@code nickname}
 * the username — https://docs.gitlab.com/integration/openid_connect_provider/#shared-information).
 */
@ApplicationScoped
public class Viewers {

    private final Optional<SecretToken> adminToken;
    private final ApiTokens tokens;

    public Viewers(Settings settings, ApiTokens tokens) {
        this.adminToken = settings.adminToken().filter(s -> !s.isBlank()).map(SecretToken::new);
        this.tokens = tokens;
    }

    /** The caller of {@code /api/v1}; 401 problem when there is no valid token or session. */
    public Viewer api(String authorization, SecurityIdentity identity) {
        if (authorization != null && !authorization.isBlank()) {
            String given = bearer(authorization);
            if (given != null && adminToken.map(t -> t.matches(given)).orElse(false)) {
                return Viewer.admin();
            }
            return tokens.find(given).map(Viewer::token).orElseThrow(() -> ProblemException.bearer(true,
                    "The bearer token is not valid (unknown or revoked)."));
        }
        return person(identity).orElseThrow(() -> ProblemException.bearer(false,
                "Send Authorization: Bearer <API token>, or log in with GitLab."));
    }

    /** Whether {@code authorization} carries the admin token. */
    public boolean isAdmin(String authorization) {
        String given = bearer(authorization);
        return given != null && adminToken.map(t -> t.matches(given)).orElse(false);
    }

    public boolean adminTokenSet() {
        return adminToken.isPresent();
    }

    /** The person logged in with GitLab, if any. */
    public Optional<Viewer> person(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return Optional.empty();
        }
        long id;
        try {
            id = Long.parseLong(jwt.getSubject());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        Optional<io.quarkus.oidc.UserInfo> info = Optional.ofNullable(identity.getAttribute("userinfo"))
                .filter(io.quarkus.oidc.UserInfo.class::isInstance).map(io.quarkus.oidc.UserInfo.class::cast);
        String username = claim(jwt, "nickname").or(() -> claim(jwt, "preferred_username"))
                .or(() -> info.map(u -> u.getString("nickname")).filter(s -> !s.isBlank()))
                .or(() -> info.map(io.quarkus.oidc.UserInfo::getPreferredUserName).filter(s -> !s.isBlank()))
                .orElse("user-" + id);
        String name = claim(jwt, "name").or(() -> info.map(io.quarkus.oidc.UserInfo::getName)).orElse(username);
        return Optional.of(Viewer.person(id, username, name));
    }

    private static Optional<String> claim(JsonWebToken jwt, String name) {
        Object v = jwt.getClaim(name);
        return v == null ? Optional.empty() : Optional.of(v.toString().replaceAll("^\"|\"$", "")).filter(s -> !s.isBlank());
    }

    private static String bearer(String authorization) {
        return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).strip() : null;
    }
}
