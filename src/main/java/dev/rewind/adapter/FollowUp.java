package dev.rewind.adapter;

/**
 * Something a rollback left for after the incident, offered to people as a button: e.g. an Argo CD
 * application whose automated sync was turned off so that the rollback would stick.
 *
 * @param action      the button's words ("Restore automated sync")
 * @param description what is left and why it waits for people ("automated sync is off (was on,
 *                    self-heal); turn it back on once git no longer points at the bad revision")
 */
public record FollowUp(String action, String description) {
}
