package org.countersign.people;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A half-done login configuration is refused at start-up, naming the missing variable; none at all is "off". */
class LoginConfigTest {

    private static LoginConfig config(String id, String secret) {
        return new LoginConfig() {
            public Optional<String> clientId() {
                return Optional.ofNullable(id);
            }

            public Optional<String> clientSecret() {
                return Optional.ofNullable(secret);
            }
        };
    }

    @Test
    void bothOrNeither() {
        assertEquals(List.of(), LoginConfig.problems(config(null, null)));
        assertFalse(config(null, null).enabled());
        assertFalse(config(" ", null).enabled());
        assertEquals(List.of(), LoginConfig.problems(config("id", "secret")));
        assertTrue(config("id", "secret").enabled());

        List<String> noSecret = LoginConfig.problems(config("id", null));
        assertEquals(1, noSecret.size());
        assertTrue(noSecret.get(0).startsWith("COUNTERSIGN_OIDC_CLIENT_SECRET is not set"), noSecret.get(0));
        List<String> noId = LoginConfig.problems(config(null, "secret"));
        assertTrue(noId.get(0).startsWith("COUNTERSIGN_OIDC_CLIENT_ID is not set"), noId.get(0));
    }
}
