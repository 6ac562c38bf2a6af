package org.countersign.gitlab.sim;

/**
 * GitLab's {@code users.user_type} for the kinds of users the simulator can create
 * ({@code app/models/concerns/has_user_type.rb}). {@link #bot()} mirrors {@code User#bot?}, i.e. membership of
 * {@code HasUserType::BOT_USER_TYPES}; it is what {@code GET /users/:id} exposes as {@code bot}.
 *
 * <ul>
 *   <li>{@link #PROJECT_BOT}: the user behind a project or group access token
 *       ({@code ResourceAccessTokens::CreateService}: {@code user_type: :project_bot} for both; username
 *       {@code project_<project id>_bot_<32 hex>} or {@code group_<group id>_bot_<32 hex>},
 *       {@code Gitlab::Utils::UsernameAndEmailGenerator}); a bot.</li>
 *   <li>{@link #SERVICE_ACCOUNT}: {@code user_type: :service_account}; default username
 *       {@code service_account_<32 hex>} (instance) or {@code service_account_group_<group id>_<32 hex>}
 *       (doc/api/service_accounts.md), but a custom username may be chosen (GitLab 16.10+); a bot.</li>
 *   <li>{@link #GHOST}: {@code Users::Internal.ghost} ({@code lib/users/internal.rb}): username {@code ghost}
 *       (uniquified), name {@code Ghost User}, created on first need, so it has no fixed id; an internal user
 *       but <b>not</b> a bot.</li>
 * </ul>
 */
public enum SimUserType {
    HUMAN("human", false),
    PROJECT_BOT("project_bot", true),
    SERVICE_ACCOUNT("service_account", true),
    GHOST("ghost", false);

    private final String gitlabName;
    private final boolean bot;

    SimUserType(String gitlabName, boolean bot) {
        this.gitlabName = gitlabName;
        this.bot = bot;
    }

    /** The enum value GitLab stores, e.g. {@code project_bot}. */
    public String gitlabName() {
        return gitlabName;
    }

    /** {@code User#bot?}: true for project/group access token bots and service accounts, false for the ghost. */
    public boolean bot() {
        return bot;
    }
}
