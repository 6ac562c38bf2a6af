package org.countersign.gitlab.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;

/**
 * Renders simulator snapshots as GitLab JSON: REST API entities (shapes of the documented examples in
 * {@code src/test/resources/gitlab-fixtures/api-*.json}) and webhook payloads ({@code issue-hook.json},
 * {@code note-hook-issue.json}). Pure functions of the snapshots plus user lookups; thread-safe.
 */
final class SimJson {

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** API timestamps: {@code 2026-11-25T10:15:30.123Z}. */
    static final DateTimeFormatter API_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    /** Issue Hook {@code object_attributes} timestamps, as in GitLab's doc example: {@code 2013-12-03T17:15:43Z}. */
    static final DateTimeFormatter HOOK_ISO_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    /** Ruby {@code Time#to_s} format used in {@code changes} and Note Hooks: {@code 2015-05-17 17:06:40 UTC}. */
    static final DateTimeFormatter HOOK_UTC_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private final String baseUrl;
    private final SimState state;

    SimJson(String baseUrl, SimState state) {
        this.baseUrl = baseUrl;
        this.state = state;
    }

    static String toJson(Object node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String time(DateTimeFormatter f, Instant t) {
        return t == null ? null : f.format(t);
    }

    static ObjectNode message(String message) {
        return F.objectNode().put("message", message);
    }

    // ================================================================ REST API entities

    /** {@code UserBasic}: id, username, name, state, locked, avatar_url, web_url. */
    ObjectNode userBasic(SimUser u) {
        ObjectNode n = F.objectNode();
        n.put("id", u.id());
        n.put("username", u.username());
        n.put("name", u.name());
        n.put("state", state.userState(u.id()));
        n.put("locked", false);
        n.put("avatar_url", avatarUrl(u));
        n.put("web_url", baseUrl + "/" + u.username());
        return n;
    }

    /** {@code GET /user}: the authenticated user's full entity. */
    ObjectNode currentUser(SimUser u) {
        ObjectNode n = userBasic(u);
        n.put("created_at", time(API_TIME, u.createdAt()));
        n.put("bio", "");
        n.putNull("location");
        n.putNull("public_email");
        n.put("linkedin", "");
        n.putNull("organization");
        n.putNull("job_title");
        n.put("bot", state.isBot(u.id())); // User#bot? (part B: access token bots, service accounts)
        n.put("last_sign_in_at", time(API_TIME, u.createdAt()));
        n.put("confirmed_at", time(API_TIME, u.createdAt()));
        n.put("email", u.email());
        n.put("can_create_group", true);
        n.put("can_create_project", true);
        n.put("two_factor_enabled", false);
        n.put("external", false);
        n.put("private_profile", false);
        n.put("is_admin", u.admin());
        return n;
    }

    ObjectNode project(SimProject p, int openIssues) {
        ObjectNode n = F.objectNode();
        n.put("id", p.id());
        n.put("description", "");
        n.put("name", p.name());
        n.put("name_with_namespace", nameWithNamespace(p));
        n.put("path", p.path());
        n.put("path_with_namespace", p.pathWithNamespace());
        n.put("created_at", time(API_TIME, p.createdAt()));
        n.put("default_branch", "main");
        n.putArray("tag_list");
        n.putArray("topics");
        n.put("ssh_url_to_repo", sshUrl(p));
        n.put("http_url_to_repo", webUrl(p) + ".git");
        n.put("web_url", webUrl(p));
        n.putNull("readme_url");
        n.putNull("avatar_url");
        n.put("forks_count", 0);
        n.put("star_count", 0);
        n.put("last_activity_at", time(API_TIME, p.createdAt()));
        ObjectNode ns = n.putObject("namespace");
        ns.put("id", 1000 + p.id());
        ns.put("name", p.namespacePath());
        ns.put("path", p.namespacePath());
        ns.put("kind", "group");
        ns.put("full_path", p.namespacePath());
        ns.putNull("parent_id");
        ns.putNull("avatar_url");
        ns.put("web_url", baseUrl + "/groups/" + p.namespacePath());
        n.put("visibility", "private");
        n.put("issues_enabled", true);
        n.put("open_issues_count", openIssues);
        n.put("archived", false);
        n.put("empty_repo", true);
        ObjectNode links = n.putObject("_links");
        String api = apiUrl(p);
        links.put("self", api);
        links.put("issues", api + "/issues");
        links.put("labels", api + "/labels");
        links.put("members", api + "/members");
        return n;
    }

    /** {@code API::Entities::Issue}, shape of {@code api-issue.json}; labels as a sorted string array. */
    ObjectNode issue(SimProject p, SimIssue i) {
        ObjectNode n = F.objectNode();
        n.put("id", i.id());
        n.put("iid", i.iid());
        n.put("project_id", i.projectId());
        n.put("title", i.title());
        n.put("description", i.description());
        n.put("state", i.state());
        n.put("created_at", time(API_TIME, i.createdAt()));
        n.put("updated_at", time(API_TIME, i.updatedAt()));
        n.put("closed_at", time(API_TIME, i.closedAt()));
        n.set("closed_by", i.closedById() == null ? F.nullNode() : userBasic(user(i.closedById())));
        ArrayNode labels = n.putArray("labels");
        i.labels().forEach(labels::add);
        n.putNull("milestone");
        ArrayNode assignees = n.putArray("assignees");
        i.assigneeIds().forEach(id -> assignees.add(userBasic(user(id))));
        n.set("author", userBasic(user(i.authorId())));
        n.put("type", i.apiType());
        n.set("assignee", i.assigneeIds().isEmpty() ? F.nullNode() : userBasic(user(i.assigneeIds().get(0))));
        n.put("user_notes_count", i.userNotesCount());
        n.put("merge_requests_count", 0);
        n.put("upvotes", 0);
        n.put("downvotes", 0);
        n.putNull("due_date");
        n.put("confidential", i.confidential());
        n.put("discussion_locked", i.discussionLocked());
        n.put("issue_type", i.issueType());
        n.put("web_url", issueUrl(p, i));
        ObjectNode ts = n.putObject("time_stats");
        ts.put("time_estimate", 0);
        ts.put("total_time_spent", 0);
        ts.putNull("human_time_estimate");
        ts.putNull("human_total_time_spent");
        ObjectNode tcs = n.putObject("task_completion_status");
        tcs.put("count", 0);
        tcs.put("completed_count", 0);
        n.put("has_tasks", false);
        ObjectNode links = n.putObject("_links");
        String api = apiUrl(p) + "/issues/" + i.iid();
        links.put("self", api);
        links.put("notes", api + "/notes");
        links.put("award_emoji", api + "/award_emoji");
        links.put("project", apiUrl(p));
        links.putNull("closed_as_duplicate_of");
        ObjectNode refs = n.putObject("references");
        refs.put("short", "#" + i.iid());
        refs.put("relative", "#" + i.iid());
        refs.put("full", p.pathWithNamespace() + "#" + i.iid());
        n.put("severity", "UNKNOWN");
        n.put("subscribed", false);
        if (i.movedToId() == null) {
            n.putNull("moved_to_id");
        } else {
            n.put("moved_to_id", i.movedToId());
        }
        n.putNull("service_desk_reply_to");
        return n;
    }

    /** {@code API::Entities::Note}, shape of {@code api-notes.json}. */
    ObjectNode note(SimNote note) {
        ObjectNode n = F.objectNode();
        n.put("id", note.id());
        n.putNull("type");
        n.put("body", note.body());
        n.putNull("attachment");
        ObjectNode author = userBasic(note.author());
        // The documented example also shows these two author fields.
        author.put("email", note.author().email());
        author.put("created_at", time(API_TIME, note.author().createdAt()));
        n.set("author", author);
        n.put("created_at", time(API_TIME, note.createdAt()));
        n.put("updated_at", time(API_TIME, note.updatedAt()));
        n.put("system", note.system());
        n.put("noteable_id", note.issueId());
        n.put("noteable_type", "Issue");
        n.put("project_id", note.projectId());
        n.put("resolvable", false);
        n.put("confidential", note.internal());
        n.put("internal", note.internal());
        n.put("imported", false);
        n.put("imported_from", "none");
        n.put("noteable_iid", note.issueIid());
        n.put("commands_changes", F.objectNode());
        return n;
    }

    /** Label as embedded in resource label events and board lists ({@code LabelBasic}). */
    ObjectNode labelBasic(SimLabel l) {
        ObjectNode n = F.objectNode();
        n.put("id", l.id());
        n.put("name", l.name());
        n.put("color", l.color());
        n.put("description", l.description());
        n.putNull("description_html");
        n.put("text_color", "#FFFFFF");
        return n;
    }

    ObjectNode labelEvent(SimLabelEvent e) {
        ObjectNode n = F.objectNode();
        n.put("id", e.id());
        n.set("user", userBasic(e.user()));
        n.put("created_at", time(API_TIME, e.createdAt()));
        n.put("resource_type", "Issue");
        n.put("resource_id", e.issueId());
        // A deleted label leaves label_id null: "label": null (part B, lib/api/entities/resource_label_event.rb).
        n.set("label", e.label() == null ? F.nullNode() : labelBasic(e.label()));
        n.put("action", e.action());
        return n;
    }

    ObjectNode stateEvent(SimStateEvent e) {
        ObjectNode n = F.objectNode();
        n.put("id", e.id());
        // user_id is nullified when the user is deleted (part B, SimState#deleteUser).
        n.set("user", e.user() == null ? F.nullNode() : userBasic(e.user()));
        n.put("created_at", time(API_TIME, e.createdAt()));
        n.put("resource_type", "Issue");
        n.put("resource_id", e.issueId());
        n.put("state", e.state());
        n.putNull("source_commit");
        n.putNull("source_merge_request");
        return n;
    }

    ObjectNode boardList(SimBoardList l) {
        ObjectNode n = F.objectNode();
        n.put("id", l.id());
        n.set("label", labelBasic(l.label()));
        n.put("position", l.position());
        n.put("max_issue_count", 0);
        n.put("max_issue_weight", 0);
        n.putNull("limit_metric");
        return n;
    }

    ObjectNode board(SimProject p, SimBoard b) {
        ObjectNode n = F.objectNode();
        n.put("id", b.id());
        n.put("name", b.name());
        ObjectNode proj = n.putObject("project");
        proj.put("id", p.id());
        proj.put("name", p.name());
        proj.put("name_with_namespace", nameWithNamespace(p));
        proj.put("path", p.path());
        proj.put("path_with_namespace", p.pathWithNamespace());
        proj.put("http_url_to_repo", webUrl(p) + ".git");
        proj.put("web_url", webUrl(p));
        n.putNull("milestone");
        n.put("hide_backlog_list", false);
        n.put("hide_closed_list", false);
        ArrayNode lists = n.putArray("lists");
        b.lists().forEach(l -> lists.add(boardList(l)));
        return n;
    }

    /** Member of {@code /members/all}, shape of {@code api-members-all.json}. */
    ObjectNode member(SimMember m) {
        ObjectNode n = userBasic(m.user());
        n.put("created_at", time(API_TIME, m.createdAt()));
        n.set("created_by", m.createdBy() == null ? F.nullNode() : userBasic(m.createdBy()));
        n.putNull("expires_at");
        n.put("access_level", m.accessLevel());
        n.putNull("group_saml_identity");
        n.put("membership_state", "active");
        return n;
    }

    /** {@code API::Entities::ProjectHook} (the fields relevant to issues and notes). */
    ObjectNode hook(SimWebhook h) {
        ObjectNode n = F.objectNode();
        n.put("id", h.id());
        n.put("url", h.url());
        n.put("name", "");
        n.put("description", "");
        n.put("created_at", time(API_TIME, h.createdAt()));
        n.put("push_events", h.pushEvents());
        n.put("tag_push_events", false);
        n.put("merge_requests_events", false);
        n.put("repository_update_events", false);
        n.put("enable_ssl_verification", h.enableSslVerification());
        n.put("alert_status", h.alertStatus());
        n.put("disabled_until", time(API_TIME, h.disabledUntil()));
        n.putArray("url_variables");
        n.put("project_id", h.projectId());
        n.put("issues_events", h.issuesEvents());
        n.put("confidential_issues_events", h.confidentialIssuesEvents());
        n.put("note_events", h.noteEvents());
        n.put("confidential_note_events", h.confidentialNoteEvents());
        n.put("pipeline_events", false);
        n.put("wiki_page_events", false);
        n.put("deployment_events", false);
        n.put("job_events", false);
        n.put("releases_events", false);
        n.put("emoji_events", false);
        n.putNull("push_events_branch_filter");
        n.put("branch_filter_strategy", "wildcard");
        return n;
    }

    // ================================================================ webhook payloads

    /**
     * Issue Hook body ({@code Gitlab::DataBuilder::Issuable}): {@code changes} holds only changed fields,
     * each {@code {previous,current}}; {@code assignees} only when the issue has any (as GitLab does).
     */
    ObjectNode issueHook(IssueChange c) {
        return issueHook(c, false);
    }

    /**
     * Issue Hook body; {@code workItemClass}: the change ran on a {@code WorkItem} object (work item UI), which
     * makes non-issue types say {@code object_kind: work_item} (see {@link SimWorkItems#objectKind}).
     */
    ObjectNode issueHook(IssueChange c, boolean workItemClass) {
        SimIssue i = c.after();
        ObjectNode n = F.objectNode();
        n.put("object_kind", SimWorkItems.objectKind(i, workItemClass));
        n.put("event_type", SimWorkItems.eventType(i, workItemClass));
        n.set("user", hookUser(c.actor()));
        n.set("project", hookProject(c.project()));
        ObjectNode attrs = issueHookAttributes(c.project(), i, HOOK_ISO_TIME);
        attrs.put("action", c.action());
        n.set("object_attributes", attrs);
        n.set("labels", hookLabels(i.labelDetails()));
        n.set("changes", issueChanges(c));
        n.set("repository", hookRepository(c.project()));
        if (!i.assigneeIds().isEmpty()) {
            ArrayNode a = n.putArray("assignees");
            i.assigneeIds().forEach(id -> a.add(hookUser(user(id))));
        }
        return n;
    }

    /** Note Hook body ({@code Gitlab::DataBuilder::Note}) for a note on an issue. */
    ObjectNode noteHook(NoteCreated c) {
        SimNote note = c.note();
        SimIssue issue = c.issue();
        ObjectNode n = F.objectNode();
        n.put("object_kind", "note");
        n.put("event_type", note.internal() || issue.confidential() ? "confidential_note" : "note");
        n.set("user", hookUser(c.actor()));
        n.put("project_id", c.project().id());
        n.set("project", hookProject(c.project()));
        ObjectNode a = n.putObject("object_attributes");
        a.put("id", note.id());
        a.put("note", note.body());
        a.put("noteable_type", "Issue");
        a.put("author_id", note.author().id());
        a.put("created_at", time(HOOK_UTC_TIME, note.createdAt()));
        a.put("updated_at", time(HOOK_UTC_TIME, note.updatedAt()));
        a.put("project_id", note.projectId());
        a.putNull("attachment");
        a.putNull("line_code");
        a.put("commit_id", "");
        a.put("noteable_id", note.issueId());
        a.put("system", note.system());
        a.putNull("st_diff");
        a.putNull("updated_by_id");
        a.putNull("type");
        a.put("internal", note.internal());
        a.put("confidential", note.internal());
        a.put("discussion_id", discussionId(note));
        a.put("action", "create");
        a.put("url", issueUrl(c.project(), issue) + "#note_" + note.id());
        n.set("repository", hookRepository(c.project()));
        ObjectNode is = issueHookAttributes(c.project(), issue, HOOK_UTC_TIME);
        // Legacy keys still shown in GitLab's documented note payload.
        is.put("position", 0);
        is.putNull("branch_name");
        n.set("issue", is);
        return n;
    }

    /** {@code Gitlab::HookData::IssueBuilder#build} (CE + EE safe attributes). */
    private ObjectNode issueHookAttributes(SimProject p, SimIssue i, DateTimeFormatter timeFormat) {
        ObjectNode a = F.objectNode();
        a.put("id", i.id());
        a.put("title", i.title());
        ArrayNode ids = a.putArray("assignee_ids");
        i.assigneeIds().forEach(ids::add);
        if (i.assigneeIds().isEmpty()) {
            a.putNull("assignee_id");
        } else {
            a.put("assignee_id", i.assigneeIds().get(0));
        }
        a.put("author_id", i.authorId());
        a.put("project_id", i.projectId());
        a.put("created_at", time(timeFormat, i.createdAt()));
        a.put("updated_at", time(timeFormat, i.updatedAt()));
        if (i.updatedById() == null) {
            a.putNull("updated_by_id");
        } else {
            a.put("updated_by_id", i.updatedById());
        }
        a.putNull("last_edited_at");
        a.putNull("last_edited_by_id");
        a.put("relative_position", 0);
        a.put("description", i.description());
        a.putNull("milestone_id");
        a.put("state_id", i.stateId());
        a.put("confidential", i.confidential());
        a.put("discussion_locked", i.discussionLocked());
        a.putNull("due_date");
        if (i.movedToId() == null) {
            a.putNull("moved_to_id");
        } else {
            a.put("moved_to_id", i.movedToId());
        }
        a.putNull("duplicated_to_id");
        a.put("time_estimate", 0);
        a.put("total_time_spent", 0);
        a.put("time_change", 0);
        a.putNull("human_total_time_spent");
        a.putNull("human_time_estimate");
        a.putNull("human_time_change");
        a.putNull("weight");
        a.putNull("health_status");
        a.put("type", i.workItemTypeName());
        a.put("iid", i.iid());
        a.put("url", issueUrl(p, i));
        a.put("state", i.state());
        a.put("severity", "unknown");
        a.put("closed_at", time(timeFormat, i.closedAt()));
        a.putArray("customer_relations_contacts");
        a.set("labels", hookLabels(i.labelDetails()));
        return a;
    }

    private ObjectNode issueChanges(IssueChange c) {
        ObjectNode ch = F.objectNode();
        SimIssue a = c.after();
        SimIssue b = c.before();
        if (b == null) {
            // Creation: ActiveRecord previous_changes of a new row (previous null).
            change(ch, "author_id", F.nullNode(), F.numberNode(a.authorId()));
            change(ch, "created_at", F.nullNode(), F.textNode(time(HOOK_UTC_TIME, a.createdAt())));
            if (a.description() != null) {
                change(ch, "description", F.nullNode(), F.textNode(a.description()));
            }
            change(ch, "id", F.nullNode(), F.numberNode(a.id()));
            change(ch, "iid", F.nullNode(), F.numberNode(a.iid()));
            change(ch, "project_id", F.nullNode(), F.numberNode(a.projectId()));
            change(ch, "title", F.nullNode(), F.textNode(a.title()));
            change(ch, "updated_at", F.nullNode(), F.textNode(time(HOOK_UTC_TIME, a.updatedAt())));
            if (a.confidential()) {
                change(ch, "confidential", F.booleanNode(false), F.booleanNode(true));
            }
            if (!a.labelDetails().isEmpty()) {
                change(ch, "labels", F.arrayNode(), hookLabels(a.labelDetails()));
            }
            if (!a.assigneeIds().isEmpty()) {
                change(ch, "assignees", F.arrayNode(), hookUsers(a.assigneeIds()));
            }
            return ch;
        }
        if (!Objects.equals(b.updatedAt(), a.updatedAt())) {
            change(ch, "updated_at", F.textNode(time(HOOK_UTC_TIME, b.updatedAt())),
                    F.textNode(time(HOOK_UTC_TIME, a.updatedAt())));
        }
        if (!Objects.equals(b.updatedById(), a.updatedById())) {
            change(ch, "updated_by_id", b.updatedById() == null ? F.nullNode() : F.numberNode(b.updatedById()),
                    F.numberNode(a.updatedById()));
        }
        if (!Objects.equals(b.closedAt(), a.closedAt())) {
            change(ch, "closed_at", nullableText(time(HOOK_UTC_TIME, b.closedAt())),
                    nullableText(time(HOOK_UTC_TIME, a.closedAt())));
        }
        if (b.stateId() != a.stateId()) {
            change(ch, "state_id", F.numberNode(b.stateId()), F.numberNode(a.stateId()));
        }
        if (!b.labels().equals(a.labels())) {
            change(ch, "labels", hookLabels(b.labelDetails()), hookLabels(a.labelDetails()));
        }
        if (!b.assigneeIds().equals(a.assigneeIds())) {
            change(ch, "assignees", hookUsers(b.assigneeIds()), hookUsers(a.assigneeIds()));
        }
        if (b.discussionLocked() != a.discussionLocked()) {
            // discussion_locked is in IssueBuilder.safe_hook_attributes.
            change(ch, "discussion_locked", F.booleanNode(b.discussionLocked()), F.booleanNode(a.discussionLocked()));
        }
        return ch;
    }

    private static void change(ObjectNode changes, String key, com.fasterxml.jackson.databind.JsonNode previous,
            com.fasterxml.jackson.databind.JsonNode current) {
        ObjectNode c = changes.putObject(key);
        c.set("previous", previous);
        c.set("current", current);
    }

    private static com.fasterxml.jackson.databind.JsonNode nullableText(String s) {
        return s == null ? F.nullNode() : F.textNode(s);
    }

    /** {@code User#hook_attrs}; GitLab redacts the e-mail unless it is public. */
    ObjectNode hookUser(SimUser u) {
        ObjectNode n = F.objectNode();
        n.put("id", u.id());
        n.put("name", u.name());
        n.put("username", u.username());
        n.put("avatar_url", avatarUrl(u));
        n.put("email", "[REDACTED]");
        return n;
    }

    private ArrayNode hookUsers(List<Long> ids) {
        ArrayNode a = F.arrayNode();
        ids.forEach(id -> a.add(hookUser(user(id))));
        return a;
    }

    /** {@code Label#hook_attrs}. */
    ArrayNode hookLabels(List<SimLabel> labels) {
        ArrayNode a = F.arrayNode();
        for (SimLabel l : labels) {
            ObjectNode n = a.addObject();
            n.put("id", l.id());
            n.put("title", l.name());
            n.put("color", l.color());
            n.put("project_id", l.projectId());
            n.put("created_at", time(API_TIME, l.createdAt()));
            n.put("updated_at", time(API_TIME, l.createdAt()));
            n.put("template", false);
            n.put("description", l.description());
            n.put("type", "ProjectLabel");
            n.putNull("group_id");
        }
        return a;
    }

    /** {@code Project#hook_attrs}. */
    ObjectNode hookProject(SimProject p) {
        ObjectNode n = F.objectNode();
        n.put("id", p.id());
        n.put("name", p.name());
        n.put("description", "");
        n.put("web_url", webUrl(p));
        n.putNull("avatar_url");
        n.put("git_ssh_url", sshUrl(p));
        n.put("git_http_url", webUrl(p) + ".git");
        n.put("namespace", p.namespacePath());
        n.put("visibility_level", 0);
        n.put("path_with_namespace", p.pathWithNamespace());
        n.put("default_branch", "main");
        n.putNull("ci_config_path");
        n.put("homepage", webUrl(p));
        n.put("url", sshUrl(p));
        n.put("ssh_url", sshUrl(p));
        n.put("http_url", webUrl(p) + ".git");
        return n;
    }

    /** Deprecated {@code repository} block: project hook_attrs sliced to name, url, description, homepage. */
    private ObjectNode hookRepository(SimProject p) {
        ObjectNode n = F.objectNode();
        n.put("name", p.name());
        n.put("url", sshUrl(p));
        n.put("description", "");
        n.put("homepage", webUrl(p));
        return n;
    }

    // ================================================================ part B: users, note edits

    /**
     * {@code GET /users/:id} for a non-admin: {@code API::Entities::User} (lib/api/entities/user.rb) =
     * UserBasic + {@code created_at}, profile fields, {@code bot} ({@code User#bot?}), {@code work_information},
     * {@code followers}/{@code following}/{@code is_followed}, {@code local_time}. {@code name} goes through
     * {@code redacted_name}: a project bot's name is {@code ****} for a viewer who cannot read its project.
     */
    ObjectNode userEntity(SimUser u, SimUserType type, boolean nameVisible) {
        ObjectNode n = userBasic(u);
        if (!nameVisible) {
            n.put("name", "****");
        }
        n.put("created_at", time(API_TIME, u.createdAt()));
        n.put("bio", type == SimUserType.GHOST ? "This is a \"Ghost User\", created to hold all issues authored by "
                + "users that have since been deleted. This user cannot be removed." : "");
        n.putNull("location");
        n.putNull("public_email");
        n.put("skype", "");
        n.put("linkedin", "");
        n.put("twitter", "");
        n.put("discord", "");
        n.put("website_url", "");
        n.put("organization", "");
        n.put("job_title", "");
        n.putNull("pronouns");
        n.put("bot", type.bot());
        n.putNull("work_information");
        n.put("followers", 0);
        n.put("following", 0);
        n.put("is_followed", false);
        n.putNull("local_time");
        return n;
    }

    /**
     * Note Hook for an edit ({@code Notes::UpdateService#execute_note_webhook}): {@code
     * Gitlab::DataBuilder::Note.build(note, note.author, :update)}, so {@code user} is the note's AUTHOR, not the
     * editor; {@code object_attributes} ({@code Gitlab::HookData::NoteBuilder}) carries {@code action: "update"},
     * the new {@code updated_at} and {@code updated_by_id} = the editor.
     */
    ObjectNode noteUpdateHook(NoteEdited e) {
        ObjectNode n = noteHook(new NoteCreated(e.project(), e.after().author(), e.after(), e.issue()));
        ObjectNode a = (ObjectNode) n.get("object_attributes");
        a.put("updated_by_id", e.editor().id());
        a.put("action", "update");
        return n;
    }

    /** {@code API::Entities::AwardEmoji}. */
    ObjectNode award(SimAward a) {
        ObjectNode n = F.objectNode();
        n.put("id", a.id());
        n.put("name", a.name());
        n.set("user", userBasic(a.user()));
        n.put("created_at", time(API_TIME, a.createdAt()));
        n.put("updated_at", time(API_TIME, a.createdAt()));
        n.put("awardable_id", a.noteId());
        n.put("awardable_type", "Note");
        n.putNull("url");
        return n;
    }

    // ================================================================ helpers

    String webUrl(SimProject p) {
        return baseUrl + "/" + p.pathWithNamespace();
    }

    private String apiUrl(SimProject p) {
        return baseUrl + "/api/v4/projects/" + p.id();
    }

    String issueUrl(SimProject p, SimIssue i) {
        return webUrl(p) + "/-/issues/" + i.iid();
    }

    private String sshUrl(SimProject p) {
        String host = baseUrl.replaceFirst("^https?://", "").replaceFirst(":\\d+$", "");
        return "git@" + host + ":" + p.pathWithNamespace() + ".git";
    }

    private static String nameWithNamespace(SimProject p) {
        return p.namespacePath().isEmpty() ? p.name() : p.namespacePath().replace("/", " / ") + " / " + p.name();
    }

    private String avatarUrl(SimUser u) {
        return baseUrl + "/uploads/-/system/user/avatar/" + u.id() + "/avatar.png";
    }

    private static String discussionId(SimNote n) {
        return String.format("%040x", n.id() * 2654435761L);
    }

    private SimUser user(long id) {
        return state.user(id).orElseThrow(() -> new IllegalStateException("unknown user " + id));
    }
}
