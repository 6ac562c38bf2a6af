package org.countersign.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * API tokens for machines: 32 random bytes, shown once; only their SHA-256 is stored (a token is as
 * strong as a random 256-bit key, so a plain hash is enough, and a lookup by hash compares no secret).
 */
@ApplicationScoped
public class ApiTokens {

    /** Every token starts with this, so a leaked one is recognisable (secret scanners, logs). */
    public static final String PREFIX = "cst_";

    public record Created(long id, String token) {
    }

    private final AgroalDataSource db;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public ApiTokens(AgroalDataSource db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public Created create(String label) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "INSERT INTO api_token (token_sha256, label, created_at) VALUES (?, ?, ?) RETURNING id")) {
            s.setString(1, sha256(token));
            s.setString(2, label);
            s.setTimestamp(3, Timestamp.from(clock.instant()));
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return new Created(r.getLong(1), token);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not store the API token", e);
        }
    }

    /** Revokes token {@code id}; false if there is no such token or it was already revoked. */
    public boolean revoke(long id) {
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "UPDATE api_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
            s.setTimestamp(1, Timestamp.from(clock.instant()));
            s.setLong(2, id);
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("could not revoke the API token", e);
        }
    }

    /** The id of the live token {@code given}, if it is one. */
    public Optional<Long> find(String given) {
        if (given == null || !given.startsWith(PREFIX)) {
            return Optional.empty();
        }
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "SELECT id FROM api_token WHERE token_sha256 = ? AND revoked_at IS NULL")) {
            s.setString(1, sha256(given));
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(r.getLong(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the API tokens", e);
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
