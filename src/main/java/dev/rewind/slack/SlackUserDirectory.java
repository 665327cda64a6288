package dev.rewind.slack;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.response.usergroups.users.UsergroupsUsersListResponse;
import dev.rewind.rollback.UserDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;

/**
 * User-group membership from {@code usergroups.users.list}, cached for a few minutes (the method is
 * Tier 2, about 20 calls a minute). A failed look-up counts as "not a member": Rewind refuses rather
 * than guesses, and logs why.
 */
public final class SlackUserDirectory implements UserDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(SlackUserDirectory.class);

    private final LoadingCache<String, Set<String>> members;

    public SlackUserDirectory(MethodsClient client, Duration ttl) {
        this.members = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(1_000)
                .build(group -> load(client, group));
    }

    @Override
    public boolean isMember(String userId, String groupId) {
        return members.get(groupId).contains(userId);
    }

    @Override
    public Set<String> members(String groupId) {
        return members.get(groupId);
    }

    private static Set<String> load(MethodsClient client, String group) {
        try {
            UsergroupsUsersListResponse response = client.usergroupsUsersList(r -> r.usergroup(group));
            if (!response.isOk()) {
                LOG.warn("usergroups.users.list for {} failed: {}{}", group, response.getError(),
                        response.getNeeded() != null ? " (needs scope " + response.getNeeded() + ")" : "");
                return Set.of();
            }
            return Set.copyOf(response.getUsers());
        } catch (IOException | SlackApiException e) {
            LOG.warn("usergroups.users.list for {} failed: {}", group, e.getMessage());
            return Set.of();
        }
    }
}
