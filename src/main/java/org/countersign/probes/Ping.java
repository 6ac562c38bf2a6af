package org.countersign.probes;

import java.util.Optional;

/** A ping as received: its kind and, for {@code /ping/<key>/<n>}, the exit status. */
public record Ping(Kind kind, Optional<Integer> exitStatus) {

    public enum Kind { SUCCESS, START, FAIL, EXIT }

    public static Ping success() {
        return new Ping(Kind.SUCCESS, Optional.empty());
    }

    public static Ping start() {
        return new Ping(Kind.START, Optional.empty());
    }

    public static Ping fail() {
        return new Ping(Kind.FAIL, Optional.empty());
    }

    public static Ping exit(int status) {
        return new Ping(Kind.EXIT, Optional.of(status));
    }

    /** The path suffix after {@code /ping/<key>}: empty, {@code start}, {@code fail} or an exit status 0–255. */
    public static Optional<Ping> parse(String suffix) {
        if (suffix == null || suffix.isEmpty()) {
            return Optional.of(success());
        }
        return switch (suffix) {
            case "start" -> Optional.of(start());
            case "fail" -> Optional.of(fail());
            default -> {
                if (suffix.matches("\\d{1,3}") && Integer.parseInt(suffix) <= 255) {
                    yield Optional.of(exit(Integer.parseInt(suffix)));
                }
                yield Optional.empty();
            }
        };
    }

    public String label() {
        return switch (kind) {
            case SUCCESS -> "success";
            case START -> "start";
            case FAIL -> "fail";
            case EXIT -> "exit " + exitStatus.orElseThrow();
        };
    }
}
