package org.countersign.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A shared secret checked in constant time: both sides are hashed (SHA-256) before
 * {@link MessageDigest#isEqual}, so neither the secret nor its length leaks through timing.
 */
public final class SecretToken {

    private final byte[] digest;

    public SecretToken(String secret) {
        this.digest = sha256(secret);
    }

    /** Whether {@code given} is the secret; null never is. */
    public boolean matches(String given) {
        return given != null && MessageDigest.isEqual(sha256(given), digest);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
