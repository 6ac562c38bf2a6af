package org.countersign.gitlab.sim;

/**
 * The kinds of {@code 429 Too Many Requests} GitLab answers (see {@link GitLabSimulator#failNextThrottled}).
 */
public enum SimThrottle {
    /**
     * Rack::Attack throttle (e.g. {@code throttle_authenticated_api}, 2,000/min on GitLab.com):
     * {@code text/plain} body {@code Retry later}, {@code Retry-After} (seconds to the end of the window),
     * {@code RateLimit-Name}, {@code -Limit}, {@code -Observed}, {@code -Remaining}, {@code -Reset} (Unix time),
     * {@code -ResetTime} (HTTP date). Source: {@code Gitlab::RackAttack.throttled_response_headers},
     * {@code lib/gitlab/rack_attack.rb}; docs "user and IP rate limits".
     */
    RACK_ATTACK,
    /**
     * {@code Gitlab::ApplicationRateLimiter} (e.g. {@code :notes_create} in {@code lib/api/notes.rb}) before
     * GitLab MR 206603: {@code render_api_error!({ error: ... }, 429)} in {@code lib/api/helpers/rate_limiter.rb},
     * i.e. JSON {@code {"message":{"error":"This endpoint has been requested too many times. Try again later."}}}
     * and no {@code Retry-After} or {@code RateLimit-*} header.
     */
    APPLICATION,
    /**
     * The same since MR 206603 (issue #572559): {@code too_many_requests!(..., retry_after: interval)} adds
     * {@code Retry-After} = the limit's interval in seconds (60 for notes_create), still no {@code RateLimit-*}.
     */
    APPLICATION_RETRY_AFTER,
    /**
     * An application limit's JSON 429 on an instance whose Rack::Attack throttle counted (but did not block) the
     * request: {@code Gitlab::Middleware::RackAttackHeaders} adds the "common" quota headers to every response,
     * 429s included: {@code RateLimit-Name/-Limit/-Observed/-Remaining/-Reset}, but no {@code Retry-After} and no
     * {@code RateLimit-ResetTime} ({@code Gitlab::RackAttack::RequestThrottleData#common_response_headers}). Only
     * {@code RateLimit-Reset} says when to retry, and it is the API quota's reset, not the endpoint limit's.
     */
    APPLICATION_WITH_QUOTA_HEADERS
}
