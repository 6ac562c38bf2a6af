package org.countersign.policy;

/** GitLab's project access levels, named as GitLab names them. */
public final class AccessLevels {
    public static final int GUEST = 10;
    public static final int PLANNER = 15;
    public static final int REPORTER = 20;
    public static final int DEVELOPER = 30;
    public static final int MAINTAINER = 40;
    public static final int OWNER = 50;

    private AccessLevels() {
    }

    public static String name(int level) {
        if (level >= OWNER) {
            return "Owner";
        } else if (level >= MAINTAINER) {
            return "Maintainer";
        } else if (level >= DEVELOPER) {
            return "Developer";
        } else if (level >= REPORTER) {
            return "Reporter";
        } else if (level >= PLANNER) {
            return "Planner";
        } else if (level >= GUEST) {
            return "Guest";
        }
        return "no access";
    }

    /** Parses a level given as a number or a name ({@code developer}, {@code Maintainer} …). */
    public static int parse(String text) {
        String t = text.strip();
        if (t.chars().allMatch(Character::isDigit) && !t.isEmpty()) {
            return Integer.parseInt(t);
        }
        switch (t.toLowerCase(java.util.Locale.ROOT)) {
            case "guest": return GUEST;
            case "planner": return PLANNER;
            case "reporter": return REPORTER;
            case "developer": return DEVELOPER;
            case "maintainer": return MAINTAINER;
            case "owner": return OWNER;
            default: throw new IllegalArgumentException("unknown access level '" + text
                    + "' (expected guest, planner, reporter, developer, maintainer, owner or a number)");
        }
    }
}
