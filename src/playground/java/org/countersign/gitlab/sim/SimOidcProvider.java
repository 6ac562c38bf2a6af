package org.countersign.gitlab.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

/**
 * GitLab as an OpenID Connect provider, as Countersign's "log in with GitLab" meets it. GitLab serves
 * OIDC with Doorkeeper and doorkeeper-openid_connect:
 * <ul>
 * <li>discovery at {@code /.well-known/openid-configuration}, issuer = the GitLab URL, endpoints
 * {@code /oauth/authorize}, {@code /oauth/token}, {@code /oauth/userinfo}, keys at
 * {@code /oauth/discovery/keys}, RS256 ID tokens
 * (https://docs.gitlab.com/integration/openid_connect_provider/ "Settings discovery");</li>
 * <li>claims (gitlabhq/gitlabhq {@code config/initializers/doorkeeper_openid_connect.rb}): {@code sub} is
 * the user id; {@code sub_legacy}, {@code email}, {@code groups_direct} are in the ID token;
 * {@code name}, {@code nickname} (the username) and {@code preferred_username} are claims of the
 * userinfo endpoint (recent GitLab also puts them in the ID token, see the docs' "Shared information"
 * table: a client must cope with both, so this simulator takes the older, stricter shape);</li>
 * <li>{@code /oauth/authorize} of someone not signed in sends them to {@code /users/sign_in} and back;
 * an unknown {@code client_id} or a {@code redirect_uri} not registered on the application is an
 * error page, never a redirect (Doorkeeper's {@code invalid_client}, {@code invalid_redirect_uri});
 * the application here is "trusted" (created by an admin), so no consent screen is shown
 * (https://docs.gitlab.com/integration/oauth_provider/);</li>
 * <li>codes are single use and expire in 10 minutes, access tokens in 2 hours ({@code expires_in
 * 7200}), ID tokens in 120 s (doorkeeper-openid_connect's default {@code expiration}); client
 * authentication by {@code client_secret_basic} or {@code client_secret_post}.</li>
 * </ul>
 * Any non-empty password signs a known, unblocked user in: the simulator keeps no passwords.
 */
public final class SimOidcProvider implements HttpHandler {

    static final List<String> PATHS = List.of("/.well-known/openid-configuration", "/oauth/", "/users/sign_in");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SESSION_COOKIE = "_gitlab_session";

    /**
     * An OAuth application. {@code redirectUri} may hold several URIs, one per line, as GitLab's "Redirect URI"
     * field does (Doorkeeper's {@code URIChecker.valid_for_authorization?} accepts any one of them, exactly).
     */
    public record Application(String name, String clientId, String secret, String redirectUri, Set<String> scopes) {

        /** Whether {@code uri} is exactly one of the registered redirect URIs. */
        public boolean allows(String uri) {
            return uri != null && redirectUri.lines().map(String::strip).anyMatch(uri::equals);
        }
    }

    private record Grant(long userId, String clientId, String redirectUri, String scope, String nonce, long expiresAtMillis) {
    }

    private record Token(long userId, String clientId, String scope, long expiresAtMillis) {
    }

    private final SimState state;
    private final String issuer;
    private final RsaJsonWebKey key;
    private final Map<String, Application> applications = new ConcurrentHashMap<>();
    private final Map<String, Long> sessions = new ConcurrentHashMap<>();
    private final Map<String, Grant> codes = new ConcurrentHashMap<>();
    private final Map<String, Token> accessTokens = new ConcurrentHashMap<>();
    private final Map<String, Token> refreshTokens = new ConcurrentHashMap<>();
    private final Map<String, Long> sessionSignIns = new ConcurrentHashMap<>();
    private final List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile String signInText;

    SimOidcProvider(SimState state, String issuer) {
        this.state = state;
        this.issuer = issuer;
        try {
            key = RsaJwkGenerator.generateJwk(2048);
            key.setKeyId("sim-" + UUID.randomUUID().toString().substring(0, 8));
            key.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
            key.setUse("sig");
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    Application register(String name, String redirectUri) {
        return register(name, hex(32), "gloas-" + hex(32), redirectUri);
    }

    /** An application with the given credentials (a playground's fixed configuration). */
    Application register(String name, String clientId, String secret, String redirectUri) {
        Application app = new Application(name, clientId, secret, redirectUri, Set.of("openid", "profile"));
        applications.put(app.clientId(), app);
        return app;
    }

    /**
     * A line shown above the sign-in form (the playground says whom one may sign in as). GitLab shows an
     * administrator's "sign-in text" there too (Admin area, Settings, General, Sign-in restrictions).
     */
    public void setSignInText(String text) {
        signInText = text;
    }

    /** Changes the application's registered redirect URI (its "Callback URL" in GitLab). */
    public Application setRedirectUri(Application app, String redirectUri) {
        Application changed = new Application(app.name(), app.clientId(), app.secret(), redirectUri, app.scopes());
        applications.put(app.clientId(), changed);
        return changed;
    }

    /** "METHOD path" of every request the provider answered, oldest first. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    /** Signs {@code user} in, as the sign-in form does; returns the value of GitLab's session cookie. */
    public String signIn(SimUser user) {
        String session = hex(16);
        sessions.put(session, user.id());
        sessionSignIns.put(session, System.currentTimeMillis() / 1000);
        return session;
    }

    /** Revokes every token issued to {@code user} (as revoking the application's access in GitLab does). */
    public void revokeTokens(SimUser user) {
        accessTokens.values().removeIf(t -> t.userId() == user.id());
        refreshTokens.values().removeIf(t -> t.userId() == user.id());
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getRawPath();
            String method = ex.getRequestMethod().toUpperCase(java.util.Locale.ROOT);
            requests.add(method + " " + path);
            if (path.equals("/.well-known/openid-configuration") && method.equals("GET")) {
                json(ex, 200, discovery());
            } else if (path.equals("/oauth/discovery/keys") && method.equals("GET")) {
                ObjectNode keys = JSON.createObjectNode();
                keys.putArray("keys").add(JSON.readTree(key.toJson()));
                json(ex, 200, keys);
            } else if (path.equals("/oauth/authorize") && method.equals("GET")) {
                authorize(ex);
            } else if (path.equals("/users/sign_in") && method.equals("GET")) {
                signInForm(ex, query(ex.getRequestURI().getRawQuery()).getOrDefault("redirect_to", "/"), null);
            } else if (path.equals("/users/sign_in") && method.equals("POST")) {
                signInSubmit(ex);
            } else if (path.equals("/oauth/token") && method.equals("POST")) {
                token(ex);
            } else if (path.equals("/oauth/userinfo") && (method.equals("GET") || method.equals("POST"))) {
                userinfo(ex);
            } else {
                json(ex, 404, JSON.createObjectNode().put("error", "404 Not Found"));
            }
        } catch (RuntimeException | JoseException e) {
            json(ex, 500, JSON.createObjectNode().put("error", "500 Internal Server Error: " + e));
        } finally {
            ex.close();
        }
    }

    private ObjectNode discovery() {
        ObjectNode d = JSON.createObjectNode();
        d.put("issuer", issuer)
                .put("authorization_endpoint", issuer + "/oauth/authorize")
                .put("token_endpoint", issuer + "/oauth/token")
                .put("revocation_endpoint", issuer + "/oauth/revoke")
                .put("introspection_endpoint", issuer + "/oauth/introspect")
                .put("userinfo_endpoint", issuer + "/oauth/userinfo")
                .put("jwks_uri", issuer + "/oauth/discovery/keys");
        strings(d.putArray("scopes_supported"), "api", "read_api", "read_user", "openid", "profile", "email");
        strings(d.putArray("response_types_supported"), "code");
        strings(d.putArray("response_modes_supported"), "query", "fragment", "form_post");
        strings(d.putArray("grant_types_supported"), "authorization_code", "password", "client_credentials",
                "device_code", "refresh_token");
        strings(d.putArray("token_endpoint_auth_methods_supported"), "client_secret_basic", "client_secret_post");
        strings(d.putArray("subject_types_supported"), "public");
        strings(d.putArray("id_token_signing_alg_values_supported"), "RS256");
        strings(d.putArray("claim_types_supported"), "normal");
        strings(d.putArray("claims_supported"), "iss", "sub", "aud", "exp", "iat", "sub_legacy", "name", "nickname",
                "preferred_username", "email", "email_verified", "website", "profile", "picture", "groups", "groups_direct");
        return d;
    }

    private void authorize(HttpExchange ex) throws IOException {
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        Application app = applications.get(q.getOrDefault("client_id", ""));
        if (app == null) {
            html(ex, 401, "An error has occurred", "Client authentication failed due to unknown client, no client "
                    + "authentication included, or unsupported authentication method.");
            return;
        }
        String redirect = q.get("redirect_uri");
        if (!app.allows(redirect)) {
            html(ex, 400, "An error has occurred", "The redirect URI included is not valid.");
            return;
        }
        String stateParam = q.get("state");
        if (!"code".equals(q.get("response_type"))) {
            redirect(ex, redirect + sep(redirect) + "error=unsupported_response_type" + stateSuffix(stateParam));
            return;
        }
        String scope = q.getOrDefault("scope", "");
        Set<String> asked = new HashSet<>(List.of(scope.trim().split("[ +]+")));
        asked.remove("");
        if (!app.scopes().containsAll(asked) || asked.isEmpty()) {
            redirect(ex, redirect + sep(redirect) + "error=invalid_scope" + stateSuffix(stateParam));
            return;
        }
        Optional<SimUser> user = sessionUser(ex);
        if (user.isEmpty()) {
            redirect(ex, issuer + "/users/sign_in?redirect_to="
                    + URLEncoder.encode(ex.getRequestURI().toString(), StandardCharsets.UTF_8));
            return;
        }
        String code = hex(32);
        codes.put(code, new Grant(user.get().id(), app.clientId(), redirect, String.join(" ", asked), q.get("nonce"),
                System.currentTimeMillis() + 600_000));
        redirect(ex, redirect + sep(redirect) + "code=" + code + stateSuffix(stateParam));
    }

    private void signInForm(HttpExchange ex, String redirectTo, String error) throws IOException {
        String text = signInText;
        String body = (text == null ? "" : "<p class=\"sign-in-text\">" + esc(text) + "</p>")
                + "<form method=\"post\" action=\"/users/sign_in\">"
                + (error == null ? "" : "<p class=\"flash-alert\" role=\"alert\">" + esc(error) + "</p>")
                + "<input type=\"hidden\" name=\"redirect_to\" value=\"" + esc(redirectTo) + "\">"
                + "<label for=\"user_login\">Username or primary email</label>"
                + "<input id=\"user_login\" name=\"user[login]\" autocomplete=\"username\">"
                + "<label for=\"user_password\">Password</label>"
                + "<input id=\"user_password\" type=\"password\" name=\"user[password]\">"
                + "<button type=\"submit\" data-testid=\"sign-in-button\">Sign in</button></form>";
        html(ex, error == null ? 200 : 401, "Sign in · GitLab (simulated)", body, true);
    }

    private void signInSubmit(HttpExchange ex) throws IOException {
        Map<String, String> form = query(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String login = form.getOrDefault("user[login]", "").trim();
        String redirectTo = form.getOrDefault("redirect_to", "/");
        Optional<SimUser> user = state.userByUsername(login).filter(u -> !state.blocked(u.id()));
        if (user.isEmpty() || form.getOrDefault("user[password]", "").isEmpty()) {
            signInForm(ex, redirectTo, "Invalid login or password.");
            return;
        }
        String session = signIn(user.get());
        ex.getResponseHeaders().add("Set-Cookie", SESSION_COOKIE + "=" + session + "; path=/; HttpOnly; SameSite=Lax");
        redirect(ex, redirectTo.startsWith("/") ? issuer + redirectTo : issuer + "/");
    }

    private void token(HttpExchange ex) throws IOException, JoseException {
        Map<String, String> form = query(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String clientId = form.get("client_id");
        String secret = form.get("client_secret");
        String basic = ex.getRequestHeaders().getFirst("Authorization");
        if (basic != null && basic.startsWith("Basic ")) {
            String[] pair = new String(Base64.getDecoder().decode(basic.substring(6).trim()), StandardCharsets.UTF_8).split(":", 2);
            clientId = URLDecoder.decode(pair[0], StandardCharsets.UTF_8);
            secret = pair.length > 1 ? URLDecoder.decode(pair[1], StandardCharsets.UTF_8) : null;
        }
        Application app = clientId == null ? null : applications.get(clientId);
        if (app == null || !app.secret().equals(secret)) {
            json(ex, 401, error("invalid_client", "Client authentication failed due to unknown client, no client "
                    + "authentication included, or unsupported authentication method."));
            return;
        }
        String grantType = form.getOrDefault("grant_type", "");
        if (grantType.equals("authorization_code")) {
            Grant g = codes.remove(form.getOrDefault("code", ""));
            if (g == null || g.expiresAtMillis() < System.currentTimeMillis() || !g.clientId().equals(app.clientId())
                    || !g.redirectUri().equals(form.get("redirect_uri"))) {
                json(ex, 400, error("invalid_grant", "The provided authorization grant is invalid, expired, revoked, does "
                        + "not match the redirection URI used in the authorization request, or was issued to another client."));
                return;
            }
            json(ex, 200, tokens(g.userId(), app, g.scope(), g.nonce()));
        } else if (grantType.equals("refresh_token")) {
            Token r = refreshTokens.remove(form.getOrDefault("refresh_token", ""));
            if (r == null || !r.clientId().equals(app.clientId())) {
                json(ex, 400, error("invalid_grant", "The provided authorization grant is invalid, expired, revoked, does "
                        + "not match the redirection URI used in the authorization request, or was issued to another client."));
                return;
            }
            json(ex, 200, tokens(r.userId(), app, r.scope(), null));
        } else {
            json(ex, 400, error("unsupported_grant_type", "The authorization grant type is not supported by the authorization server."));
        }
    }

    private ObjectNode tokens(long userId, Application app, String scope, String nonce) throws JoseException {
        SimUser user = state.user(userId).orElseThrow();
        long now = System.currentTimeMillis() / 1000;
        String access = hex(32);
        String refresh = hex(32);
        accessTokens.put(access, new Token(userId, app.clientId(), scope, (now + 7200) * 1000));
        refreshTokens.put(refresh, new Token(userId, app.clientId(), scope, Long.MAX_VALUE));
        ObjectNode out = JSON.createObjectNode().put("access_token", access).put("token_type", "Bearer")
                .put("expires_in", 7200).put("refresh_token", refresh).put("scope", scope).put("created_at", now);
        if (List.of(scope.split(" ")).contains("openid")) {
            JwtClaims c = new JwtClaims();
            c.setIssuer(issuer);
            c.setSubject(String.valueOf(user.id()));
            c.setAudience(app.clientId());
            c.setExpirationTime(org.jose4j.jwt.NumericDate.fromSeconds(now + 120));
            c.setIssuedAt(org.jose4j.jwt.NumericDate.fromSeconds(now));
            c.setClaim("auth_time", now);
            if (nonce != null) {
                c.setClaim("nonce", nonce);
            }
            c.setClaim("sub_legacy", sha256(user.id() + "-sim-secret-key-base"));
            c.setClaim("email", user.email());
            c.setClaim("email_verified", true);
            c.setClaim("groups_direct", List.of());
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(c.toJson());
            jws.setKey(key.getPrivateKey());
            jws.setKeyIdHeaderValue(key.getKeyId());
            jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
            jws.setHeader("typ", "JWT");
            out.put("id_token", jws.getCompactSerialization());
        }
        return out;
    }

    private void userinfo(HttpExchange ex) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        Token t = auth != null && auth.startsWith("Bearer ") ? accessTokens.get(auth.substring(7).trim()) : null;
        if (t == null || t.expiresAtMillis() < System.currentTimeMillis()) {
            ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"Doorkeeper\", error=\"invalid_token\"");
            json(ex, 401, error("invalid_token", "The access token is invalid"));
            return;
        }
        SimUser user = state.user(t.userId()).orElseThrow();
        ObjectNode u = JSON.createObjectNode().put("sub", String.valueOf(user.id()))
                .put("sub_legacy", sha256(user.id() + "-sim-secret-key-base")).put("name", user.name())
                .put("nickname", user.username()).put("preferred_username", user.username()).put("email", user.email())
                .put("email_verified", true).put("profile", issuer + "/" + user.username())
                .put("picture", issuer + "/uploads/-/system/user/avatar/" + user.id() + "/avatar.png");
        u.putArray("groups");
        json(ex, 200, u);
    }

    private Optional<SimUser> sessionUser(HttpExchange ex) {
        for (String header : ex.getRequestHeaders().getOrDefault("Cookie", List.of())) {
            for (String part : header.split(";")) {
                String[] kv = part.trim().split("=", 2);
                if (kv.length == 2 && kv[0].equals(SESSION_COOKIE) && sessions.containsKey(kv[1])) {
                    return state.user(sessions.get(kv[1])).filter(u -> !state.blocked(u.id()));
                }
            }
        }
        return Optional.empty();
    }

    private static ObjectNode error(String code, String description) {
        return JSON.createObjectNode().put("error", code).put("error_description", description);
    }

    private static void strings(ArrayNode a, String... values) {
        for (String v : values) {
            a.add(v);
        }
    }

    private static String sep(String url) {
        return url.contains("?") ? "&" : "?";
    }

    private static String stateSuffix(String state) {
        return state == null ? "" : "&state=" + URLEncoder.encode(state, StandardCharsets.UTF_8);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            String[] kv = pair.split("=", 2);
            out.putIfAbsent(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                    kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return out;
    }

    private static void redirect(HttpExchange ex, String location) throws IOException {
        ex.getResponseHeaders().add("Location", location);
        ex.sendResponseHeaders(302, -1);
    }

    private static void json(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void html(HttpExchange ex, int status, String title, String text) throws IOException {
        html(ex, status, title, "<p>" + esc(text) + "</p>", true);
    }

    private static void html(HttpExchange ex, int status, String title, String body, boolean raw) throws IOException {
        byte[] bytes = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + esc(title)
                + "</title></head><body><h1>" + esc(title) + "</h1>" + body + "</body></html>").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    private static String sha256(String s) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
