package org.countersign.people;

import io.quarkus.oidc.OidcRequestContext;
import io.quarkus.oidc.OidcTenantConfig;
import io.quarkus.oidc.TenantConfigResolver;
import io.quarkus.oidc.runtime.OidcTenantConfig.ApplicationType;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import org.countersign.config.Settings;
import org.jboss.logging.Logger;

/**
 * Log in with GitLab: an OpenID Connect web-app tenant whose issuer is COUNTERSIGN_GITLAB_URL, applied
 * only to the people's pages, {@code /login/*} and {@code /api/v1} (without an Authorization header).
 * Everything else — the webhook, health, status, badges, pings — never touches OIDC, so neither a
 * GitLab outage nor a missing login configuration affects them. Discovery happens at the first login.
 *
 * <p>GitLab as provider: https://docs.gitlab.com/integration/openid_connect_provider/ (discovery at
 * {@code /.well-known/openid-configuration}, authorize at {@code /oauth/authorize}). The redirect URI
 * to register in the GitLab application is {@code <COUNTERSIGN_PUBLIC_URL>/login/callback}.
 */
@ApplicationScoped
public class GitLabLogin implements TenantConfigResolver {

    private static final Logger LOG = Logger.getLogger(GitLabLogin.class);
    public static final String TENANT = "gitlab";
    public static final String CALLBACK = "/login/callback";

    private final LoginConfig config;
    private final Settings settings;
    private volatile OidcTenantConfig tenant;

    public GitLabLogin(LoginConfig config, Settings settings) {
        this.config = config;
        this.settings = settings;
    }

    /** Refuses to start on a half-done login configuration, naming the variable. */
    void check(@Observes StartupEvent ev) {
        List<String> problems = LoginConfig.problems(config);
        if (!problems.isEmpty()) {
            throw new Settings.InvalidConfigurationException(problems);
        }
        LOG.infof(config.enabled() ? "log in with GitLab: on (%s)" : "log in with GitLab: off%s",
                config.enabled() ? settings.gitlabUrl() : " (COUNTERSIGN_OIDC_CLIENT_ID not set): pages answer 503");
    }

    public boolean enabled() {
        return config.enabled();
    }

    /** Whether {@code path} is one of the people's pages (behind the GitLab login). */
    public static boolean isPage(String path) {
        return path.equals("/") || path.equals("/queue") || path.startsWith("/projects/") || path.equals("/audit")
                || path.startsWith("/login/") || path.equals("/logout");
    }

    @Override
    public Uni<OidcTenantConfig> resolve(RoutingContext context, OidcRequestContext<OidcTenantConfig> request) {
        if (!config.enabled()) {
            return Uni.createFrom().nullItem();
        }
        String path = context.normalizedPath();
        boolean api = path.startsWith("/api/v1/") && context.request().getHeader("Authorization") == null;
        if (!api && !isPage(path)) {
            return Uni.createFrom().nullItem();
        }
        return Uni.createFrom().item(tenant());
    }

    private OidcTenantConfig tenant() {
        OidcTenantConfig t = tenant;
        if (t == null) {
            t = OidcTenantConfig.builder()
                    .tenantId(TENANT)
                    .authServerUrl(settings.gitlabUrl().replaceAll("/+$", ""))
                    .clientId(config.clientId().orElseThrow())
                    .credentials(config.clientSecret().orElseThrow())
                    .applicationType(ApplicationType.WEB_APP)
                    .connectionTimeout(settings.connectTimeout())
                    .authentication()
                        .redirectPath(CALLBACK)
                        .restorePathAfterRedirect(true)
                        .removeRedirectParameters(true)
                        .scopes("openid", "profile")
                        // GitLab's ID tokens live 120 s: the session outlives them and is renewed with the
                        // refresh token, instead of sending people back to GitLab every two minutes
                        .sessionAgeExtension(Duration.ofHours(8))
                        .javaScriptAutoRedirect(false)
                        // the username (nickname) may be only in the userinfo answer (older GitLab)
                        .userInfoRequired(true)
                        .end()
                    .token()
                        .refreshExpired(true)
                        .end()
                    .build();
            tenant = t;
        }
        return t;
    }
}
