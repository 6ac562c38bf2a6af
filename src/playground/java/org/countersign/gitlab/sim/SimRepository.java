package org.countersign.gitlab.sim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The simulated projects' repositories, just enough for the repository files API: one default branch
 * ({@code main}) per project, a linear history of commits, each a whole tree of text files. Commit and
 * blob ids are SHA-1 hex like Git's (not Git's exact hashing: nothing compares them with real ones).
 */
final class SimRepository {

    static final String DEFAULT_BRANCH = "main";

    /** A file as of a commit: its text, blob id and the last commit that changed it. */
    record FileAt(String path, String content, String blobId, String commitId, String lastCommitId) {
    }

    /** One commit: its id and what it added, modified and removed (as a Push Hook lists them). */
    record Commit(String id, String message, List<String> added, List<String> modified, List<String> removed,
                  Map<String, String> tree, Map<String, String> lastChange) {
    }

    private final Map<Long, List<Commit>> history = new HashMap<>();
    private int counter;

    /** Writes (or, with {@code content == null}, deletes) {@code path} on the default branch in a new commit. */
    synchronized Commit commit(long projectId, String path, String content, String message) {
        List<Commit> commits = history.computeIfAbsent(projectId, k -> new ArrayList<>());
        Map<String, String> tree = commits.isEmpty() ? new LinkedHashMap<>() : new LinkedHashMap<>(commits.get(commits.size() - 1).tree());
        Map<String, String> lastChange = commits.isEmpty() ? new HashMap<>() : new HashMap<>(commits.get(commits.size() - 1).lastChange());
        String id = sha1("commit " + projectId + " " + (++counter) + " " + message);
        List<String> added = new ArrayList<>();
        List<String> modified = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        if (content == null) {
            if (tree.remove(path) != null) {
                removed.add(path);
            }
            lastChange.remove(path);
        } else {
            (tree.containsKey(path) ? modified : added).add(path);
            tree.put(path, content);
            lastChange.put(path, id);
        }
        Commit c = new Commit(id, message, added, modified, removed, Map.copyOf(tree), Map.copyOf(lastChange));
        commits.add(c);
        return c;
    }

    /**
     * {@code path} at {@code ref} (the default branch or a commit id): empty commit = "404 Commit Not
     * Found", empty file = "404 File Not Found", as {@code lib/api/files.rb} answers.
     */
    synchronized Optional<Optional<FileAt>> file(long projectId, String ref, String path) {
        List<Commit> commits = history.getOrDefault(projectId, List.of());
        Optional<Commit> at = ref.equals(DEFAULT_BRANCH)
                ? (commits.isEmpty() ? Optional.empty() : Optional.of(commits.get(commits.size() - 1)))
                : commits.stream().filter(c -> c.id().equals(ref)).findFirst();
        return at.map(c -> Optional.ofNullable(c.tree().get(path)).map(text -> new FileAt(path, text,
                sha1("blob " + text), c.id(), c.lastChange().get(path))));
    }

    static String sha1(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
