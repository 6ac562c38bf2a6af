package org.countersign.people;

/**
 * Who is looking: the operator (admin token), a machine (API token) or a person logged in with GitLab.
 * Operators and machines see every watched project; a person only those they are a member of.
 */
public record Viewer(Kind kind, long userId, String username, String name) {

    public enum Kind { ADMIN, TOKEN, PERSON }

    public static Viewer admin() {
        return new Viewer(Kind.ADMIN, 0, "admin", "Operator");
    }

    public static Viewer token(long tokenId) {
        return new Viewer(Kind.TOKEN, tokenId, "token-" + tokenId, "API token " + tokenId);
    }

    public static Viewer person(long userId, String username, String name) {
        return new Viewer(Kind.PERSON, userId, username, name == null || name.isBlank() ? username : name);
    }

    public boolean person() {
        return kind == Kind.PERSON;
    }
}
