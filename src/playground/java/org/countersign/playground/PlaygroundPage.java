package org.countersign.playground;

import io.quarkus.arc.properties.IfBuildProperty;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.countersign.gitlab.sim.SimIssue;
import org.countersign.gitlab.sim.SimNote;
import org.countersign.gitlab.sim.SimUser;

/**
 * {@code /playground}: the sample board as each person sees it, with the moves people make on a GitLab
 * board (move a card, comment, close, reopen). Every move goes through the simulated GitLab, which sends
 * its webhooks to Countersign exactly as GitLab would. Plain HTML forms; no JavaScript.
 */
@ApplicationScoped
@IfBuildProperty(name = "countersign.playground.enabled", stringValue = "true")
public class PlaygroundPage {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MMM d, HH:mm", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    void routes(@Observes Router router) {
        router.get("/playground").blockingHandler(this::page);
        router.post("/playground/act").handler(BodyHandler.create().setBodyLimit(64 * 1024)).blockingHandler(this::act);
    }

    private void page(RoutingContext rc) {
        Optional<PlaygroundWorld> world = Playground.current();
        if (world.isEmpty()) {
            html(rc.response().setStatusCode(404), "<!doctype html><title>No playground</title><p>The playground runs only"
                    + " in dev mode without a GitLab configured (<code>./mvnw quarkus:dev</code>).</p>");
            return;
        }
        PlaygroundWorld w = world.get();
        String as = Optional.ofNullable(rc.request().getParam("as")).filter(w.people::containsKey).orElse("bob");
        String did = rc.request().getParam("did");
        html(rc.response(), render(w, as, did));
    }

    private void act(RoutingContext rc) {
        PlaygroundWorld w = Playground.current().orElse(null);
        if (w == null) {
            rc.response().setStatusCode(404).end();
            return;
        }
        String as = rc.request().getFormAttribute("as");
        PlaygroundWorld.Person person = as == null ? null : w.people.get(as);
        String what = Optional.ofNullable(rc.request().getFormAttribute("do")).orElse("");
        long iid;
        try {
            iid = Long.parseLong(Optional.ofNullable(rc.request().getFormAttribute("iid")).orElse(""));
        } catch (NumberFormatException e) {
            iid = -1;
        }
        long ticket = iid;
        if (person == null || w.issues().stream().noneMatch(i -> i.iid() == ticket)) {
            html(rc.response().setStatusCode(400), "<!doctype html><title>Bad request</title><p>Unknown person or ticket."
                    + " <a href=\"/playground\">Back to the board</a></p>");
            return;
        }
        SimUser u = person.user();
        SimIssue issue = w.sim.issue(w.project, iid);
        String done;
        try {
            switch (what) {
                case "review" -> {
                    w.sim.moveToList(u, w.project, iid, column(issue), PlaygroundWorld.REVIEW);
                    done = as + " moved #" + iid + " to " + PlaygroundWorld.REVIEW;
                }
                case "doing" -> {
                    w.sim.moveToList(u, w.project, iid, column(issue), PlaygroundWorld.DOING);
                    done = as + " moved #" + iid + " to " + PlaygroundWorld.DOING;
                }
                case "close" -> {
                    w.sim.dragToClosed(u, w.project, iid);
                    done = as + " closed #" + iid;
                }
                case "reopen" -> {
                    w.sim.reopen(u, w.project, iid);
                    done = as + " reopened #" + iid;
                }
                case "comment" -> {
                    String body = Optional.ofNullable(rc.request().getFormAttribute("body")).orElse("").strip();
                    if (body.isEmpty()) {
                        done = "nothing to comment";
                    } else {
                        w.sim.comment(u, w.project, iid, body);
                        done = as + " commented on #" + iid;
                    }
                }
                default -> done = "unknown move '" + what + "'";
            }
        } catch (RuntimeException e) {
            done = "GitLab refused: " + e.getMessage();
        }
        rc.response().setStatusCode(303).putHeader("Location", "/playground?as=" + enc(as) + "&did=" + enc(done) + "#t" + iid)
                .end();
    }

    private static String column(SimIssue issue) {
        List<String> labels = issue.labels();
        return labels.contains(PlaygroundWorld.REVIEW) ? PlaygroundWorld.REVIEW
                : labels.contains(PlaygroundWorld.DOING) ? PlaygroundWorld.DOING : null;
    }

    static String render(PlaygroundWorld w, String as, String did) {
        StringBuilder b = new StringBuilder(16_384);
        b.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>Countersign playground</title>");
        if (did != null) {
            // one reload two seconds later shows Countersign's reaction (it reacts within a second or so)
            b.append("<meta http-equiv=\"refresh\" content=\"2;url=/playground?as=").append(esc(enc(as))).append("\">");
        }
        b.append("<style>").append(CSS).append("</style></head><body>");
        b.append("<header><h1>Countersign playground</h1><p>A simulated GitLab runs inside this process with the project <b>")
                .append(esc(PlaygroundWorld.PROJECT_PATH)).append("</b>. Act as someone, make a move; the simulated GitLab sends")
                .append(" its webhooks to Countersign, which answers in the ticket as it would on your GitLab.</p>")
                .append("<ol><li>As <b>bob</b>, close <b>Rotate the TLS certificates</b>: nobody signed it off, so Countersign")
                .append(" reopens it, puts it back in <i>To validate</i> and says why.</li>")
                .append("<li>As <b>carol</b>, close <b>Upgrade PostgreSQL to 17</b>: she signed it off, the close stands.</li>")
                .append("<li>Then: sign off as bob (refused: he did the work), as rita (refused: Reporter), as carol (recorded).")
                .append(" <b>Patch the hypervisors</b> has waited two days: it got a reminder naming who may sign it off.</li></ol>")
                .append("<p>Countersign's own pages — <a href=\"/queue\">the review queue</a>, <a href=\"/\">the overview</a>,")
                .append(" <a href=\"/audit\">the audit trail</a>, and each ticket's page (linked from its notes and below) —")
                .append(" ask you to sign in to the simulated GitLab: as any of these people, with any password.</p>")
                .append("</header>");
        b.append("<nav aria-label=\"Act as\"><span>Acting as:</span>");
        w.people.forEach((name, p) -> {
            b.append(name.equals(as) ? "<strong aria-current=\"true\">" : "<a href=\"/playground?as=" + esc(enc(name)) + "\">")
                    .append(esc(name)).append(" <small>").append(esc(p.role())).append("</small>")
                    .append(name.equals(as) ? "</strong>" : "</a>");
        });
        b.append("<a href=\"/playground?as=").append(esc(enc(as))).append("\">Reload</a></nav>");
        if (did != null) {
            b.append("<p class=\"did\" role=\"status\">").append(esc(did)).append(" — Countersign's answer shows in a moment.</p>");
        }
        List<SimIssue> issues = w.issues();
        b.append("<main class=\"board\">");
        column(b, w, as, "Doing", issues.stream().filter(i -> !i.isClosed() && PlaygroundWorld.DOING.equals(column(i))).toList());
        column(b, w, as, "To validate",
                issues.stream().filter(i -> !i.isClosed() && PlaygroundWorld.REVIEW.equals(column(i))).toList());
        List<SimIssue> open = issues.stream().filter(i -> !i.isClosed() && column(i) == null).toList();
        if (!open.isEmpty()) {
            column(b, w, as, "Open (no column)", open);
        }
        column(b, w, as, "Closed", issues.stream().filter(SimIssue::isClosed).toList());
        b.append("</main></body></html>");
        return b.toString();
    }

    private static void column(StringBuilder b, PlaygroundWorld w, String as, String title, List<SimIssue> issues) {
        b.append("<section class=\"column\"><h2>").append(esc(title)).append(" <small>").append(issues.size())
                .append("</small></h2>");
        for (SimIssue i : issues) {
            card(b, w, as, i);
        }
        b.append("</section>");
    }

    private static void card(StringBuilder b, PlaygroundWorld w, String as, SimIssue i) {
        b.append("<article class=\"card\" id=\"t").append(i.iid()).append("\"><h3>#").append(i.iid()).append(' ')
                .append(esc(i.title())).append("</h3><p class=\"meta\">");
        b.append(i.isClosed() ? "closed" : "open");
        if (!i.labels().isEmpty()) {
            b.append(" · labels: ").append(esc(String.join(", ", i.labels())));
        }
        b.append(" · assignee: ").append(esc(i.assigneeIds().stream().map(id -> w.people.values().stream()
                .filter(p -> p.user().id() == id).map(p -> p.user().username()).findFirst().orElse("?")).toList().toString()));
        b.append(" · <a href=\"/projects/").append(w.project.id()).append("/tickets/").append(i.iid())
                .append("\">Countersign's page</a>");
        b.append("</p><div class=\"moves\">");
        if (i.isClosed()) {
            move(b, as, i, "reopen", "Reopen");
        } else {
            String col = column(i);
            if (!PlaygroundWorld.REVIEW.equals(col)) {
                move(b, as, i, "review", "Move to To validate");
            }
            if (!PlaygroundWorld.DOING.equals(col)) {
                move(b, as, i, "doing", "Move to Doing");
            }
            move(b, as, i, "close", "Close");
        }
        b.append("</div>");
        List<SimNote> notes = w.sim.notes(w.project, i.iid()).stream().filter(n -> !n.system()).toList();
        if (!notes.isEmpty()) {
            b.append("<ol class=\"notes\">");
            for (SimNote n : notes) {
                boolean bot = n.author().id() == w.bot.id();
                b.append("<li class=\"").append(bot ? "note bot" : "note").append("\"><b>")
                        .append(esc(n.author().username())).append("</b> <time>").append(TIME.format(n.createdAt()))
                        .append("</time><div>").append(markdown(stripMarker(n.body()))).append("</div></li>");
            }
            b.append("</ol>");
        }
        String label = "comment-" + i.iid();
        b.append("<form method=\"post\" action=\"/playground/act\" class=\"comment\">")
                .append(hidden("as", as)).append(hidden("iid", Long.toString(i.iid()))).append(hidden("do", "comment"))
                .append("<label for=\"").append(label).append("\">Comment as ").append(esc(as)).append("</label>")
                .append("<textarea id=\"").append(label).append("\" name=\"body\" rows=\"2\">")
                .append(i.isClosed() ? "" : "/signoff ").append("</textarea>")
                .append("<button type=\"submit\">Comment</button></form></article>");
    }

    private static void move(StringBuilder b, String as, SimIssue i, String what, String text) {
        b.append("<form method=\"post\" action=\"/playground/act\">").append(hidden("as", as))
                .append(hidden("iid", Long.toString(i.iid()))).append(hidden("do", what))
                .append("<button type=\"submit\" name=\"move\" value=\"").append(what).append("\">").append(esc(text))
                .append("</button></form>");
    }

    private static String hidden(String name, String value) {
        return "<input type=\"hidden\" name=\"" + name + "\" value=\"" + esc(value) + "\">";
    }

    /** Countersign's notes end with a hidden HTML comment (its marker); GitLab does not show it either. */
    static String stripMarker(String body) {
        return body.replaceAll("\\s*<!-- countersign:[^>]*-->\\s*$", "");
    }

    /** The little Markdown Countersign's notes use, as GitLab shows it: **bold**, `code`, [links](http…), line breaks. */
    static String markdown(String text) {
        return esc(text).replaceAll("\\*\\*([^*]+)\\*\\*", "<b>$1</b>").replaceAll("`([^`]+)`", "<code>$1</code>")
                .replaceAll("\\[([^\\]]+)\\]\\((https?://[^)\\s]+)\\)", "<a href=\"$2\">$1</a>")
                .replace("\n", "<br>");
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static void html(HttpServerResponse r, String body) {
        r.putHeader("Content-Type", "text/html; charset=utf-8").end(body);
    }

    private static final String CSS = """
            body{font:15px/1.45 system-ui,sans-serif;margin:0 1.5rem 2rem;color:#1f2328;background:#f6f8fa}
            header{max-width:70rem}h1{font-size:1.5rem;margin:1rem 0 .3rem}
            nav{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:.8rem 0}
            nav a,nav strong{padding:.25rem .6rem;border:1px solid #d0d7de;border-radius:1rem;background:#fff;color:#0969da;text-decoration:none}
            nav strong{background:#0969da;color:#fff}nav small{opacity:.75}
            .did{background:#ddf4ff;border:1px solid #54aeff;padding:.4rem .7rem;border-radius:.4rem;max-width:70rem}
            .board{display:grid;grid-template-columns:repeat(auto-fit,minmax(19rem,1fr));gap:1rem;align-items:start}
            .column{background:#eaeef2;border-radius:.5rem;padding:.5rem}.column h2{font-size:1rem;margin:.2rem .3rem .5rem}
            .card{background:#fff;border:1px solid #d0d7de;border-radius:.4rem;padding:.5rem .7rem;margin-bottom:.6rem}
            .card h3{font-size:.98rem;margin:.1rem 0}.meta{color:#57606a;font-size:.85rem;margin:.2rem 0}
            .moves{display:flex;flex-wrap:wrap;gap:.3rem;margin:.3rem 0}
            button{font:inherit;font-size:.85rem;padding:.2rem .6rem;border:1px solid #d0d7de;border-radius:.35rem;background:#f6f8fa;cursor:pointer}
            button:focus,textarea:focus,a:focus{outline:2px solid #0969da;outline-offset:1px}
            .notes{list-style:none;padding:0;margin:.4rem 0}.note{border-left:3px solid #d0d7de;padding:.2rem .5rem;margin:.3rem 0;font-size:.88rem}
            .note.bot{border-color:#bf3989;background:#fff8fc}time{color:#57606a;font-size:.8rem}
            .comment label{display:block;font-size:.8rem;color:#57606a}.comment textarea{width:100%;box-sizing:border-box;font:inherit;font-size:.85rem}
            """;
}
