package org.countersign.workflow;

/**
 * GitLab accepted the request but did not do what the action needs (e.g. it answered 200 to a reopen
 * and left the issue closed), and Countersign's rights do not let it work around that. The message
 * names the fix; retrying changes nothing until a person applies it.
 */
public class ActionNotApplied extends RuntimeException {
    public ActionNotApplied(String message) {
        super(message);
    }
}
