package org.countersign.gitlab.sim;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * GitLab offset pagination for every list endpoint: {@code page} (default 1) and {@code per_page}
 * (default 20, max 100; invalid values fall back to the defaults) and the response headers
 * {@code X-Page}, {@code X-Per-Page}, {@code X-Next-Page}/{@code X-Prev-Page} (empty when none),
 * {@code X-Total}, {@code X-Total-Pages} and {@code Link} (rel next/prev/first/last, other query
 * parameters preserved). Totals and {@code rel="last"} are omitted above 10,000 records, and permission
 * filtering happens after paginating ({@link #paginateThenFilter}).
 */
final class SimPagination {

    static final int DEFAULT_PER_PAGE = 20;
    static final int MAX_PER_PAGE = 100;
    /** {@code Kaminari::ActiveRecordRelationMethodsWithLimit::MAX_COUNT_LIMIT}: above it, no totals. */
    static final int MAX_COUNT_LIMIT = 10_000;

    /** One page of items plus the headers to send with it. */
    record Page<T>(List<T> items, Map<String, String> headers) {
    }

    private SimPagination() {
    }

    /**
     * @param all          the full, already filtered and sorted list
     * @param params       the request parameters (query string and body)
     * @param resourceUrl  absolute URL of the resource without query string, used for {@code Link}
     */
    static <T> Page<T> paginate(List<T> all, Map<String, List<String>> params, String resourceUrl) {
        return paginateThenFilter(all, params, resourceUrl, item -> true);
    }

    /**
     * GitLab's order for endpoints that check permissions per record: paginate the query first, then drop the
     * records the reader may not see. {@code lib/api/notes.rb} ("the current page can have less elements than
     * :per_page even if there's more than one page": {@code paginate(raw_notes)} then
     * {@code select { |note| note.readable_by?(current_user) }}), {@code lib/api/resource_label_events.rb}
     * ({@code ResourceLabelEvent.visible_to_user?(current_user, paginate(events))}). Headers, {@code X-Total}
     * included, describe the unfiltered pages, so a page may be short or even empty while {@code X-Next-Page}
     * still points further.
     *
     * <p>Above {@value #MAX_COUNT_LIMIT} records GitLab stops counting ({@code Gitlab::Pagination::OffsetPagination
     * #exceeeds_count?}, {@code Kaminari::ActiveRecordRelationMethodsWithLimit::MAX_COUNT_LIMIT = 10_000}): the
     * page is built {@code without_count}, {@code OffsetHeaderBuilder} then omits {@code X-Total} and
     * {@code X-Total-Pages} and the {@code rel="last"} link; {@code X-Next-Page} still comes from whether a further
     * record exists.
     */
    static <T> Page<T> paginateThenFilter(List<T> all, Map<String, List<String>> params, String resourceUrl,
            Predicate<? super T> visible) {
        int perPage = intParam(params, "per_page", DEFAULT_PER_PAGE);
        if (perPage < 1) {
            perPage = DEFAULT_PER_PAGE;
        }
        perPage = Math.min(perPage, MAX_PER_PAGE);
        int page = Math.max(1, intParam(params, "page", 1));
        int total = all.size();
        boolean counted = total <= MAX_COUNT_LIMIT;
        int totalPages = Math.max(1, (total + perPage - 1) / perPage);
        int from = (int) Math.min((long) (page - 1) * perPage, total);
        int to = Math.min(from + perPage, total);
        List<T> items = new ArrayList<>();
        for (T item : all.subList(from, to)) {
            if (visible.test(item)) {
                items.add(item);
            }
        }
        items = List.copyOf(items);
        boolean hasNext = to < total;

        Map<String, String> h = new LinkedHashMap<>();
        h.put("X-Page", String.valueOf(page));
        h.put("X-Per-Page", String.valueOf(perPage));
        h.put("X-Next-Page", hasNext ? String.valueOf(page + 1) : "");
        int prev = counted ? Math.min(page - 1, totalPages) : page - 1;
        h.put("X-Prev-Page", page > 1 ? String.valueOf(prev) : "");
        if (counted) {
            h.put("X-Total", String.valueOf(total));
            h.put("X-Total-Pages", String.valueOf(totalPages));
        }
        List<String> links = new ArrayList<>();
        if (page > 1) {
            links.add(link(resourceUrl, params, prev, perPage, "prev"));
        }
        if (hasNext) {
            links.add(link(resourceUrl, params, page + 1, perPage, "next"));
        }
        links.add(link(resourceUrl, params, 1, perPage, "first"));
        if (counted) {
            links.add(link(resourceUrl, params, totalPages, perPage, "last"));
        }
        h.put("Link", String.join(", ", links));
        return new Page<>(items, h);
    }

    private static String link(String url, Map<String, List<String>> params, int page, int perPage, String rel) {
        StringBuilder q = new StringBuilder();
        params.forEach((k, values) -> {
            if (k.equals("page") || k.equals("per_page")) {
                return;
            }
            for (String v : values) {
                q.append(enc(k)).append('=').append(enc(v)).append('&');
            }
        });
        q.append("page=").append(page).append("&per_page=").append(perPage);
        return "<" + url + "?" + q + ">; rel=\"" + rel + "\"";
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static int intParam(Map<String, List<String>> params, String name, int fallback) {
        List<String> v = params.get(name);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.get(0).trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
