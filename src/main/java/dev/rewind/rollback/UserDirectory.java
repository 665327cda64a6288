package dev.rewind.rollback;

/** Answers whether a user belongs to a user group. May block on the chat system; implementations cache. */
public interface UserDirectory {

    boolean isMember(String userId, String groupId);

    /** Everyone in a user group, for invitations; empty when unknown. */
    default java.util.Set<String> members(String groupId) {
        return java.util.Set.of();
    }

    /** A directory that knows no groups: only listed user ids count. */
    UserDirectory NONE = (userId, groupId) -> false;
}
