package org.countersign.gitlab.sim;

/** Parameters of {@code POST/PUT /projects/:id/hooks}; null = not given. */
record SimHookParams(String url, String token, Boolean push, Boolean issues, Boolean confidentialIssues, Boolean notes,
        Boolean confidentialNotes, Boolean enableSslVerification) {
}
