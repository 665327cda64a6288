package dev.rewind.config;

import java.util.Locale;

/** When a run gets its own incident channel. */
public enum IncidentPolicy {
    /** When the rollback is approved (the default): the channel is for the rollback itself. */
    ON_APPROVAL,
    /** As soon as someone asks for the rollback, so approvers discuss it there. */
    ON_REQUEST,
    /** Never: progress stays on the card. */
    NEVER;

    public static IncidentPolicy parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "")) {
            case "onapproval", "approval" -> ON_APPROVAL;
            case "onrequest", "request" -> ON_REQUEST;
            case "never", "none", "off", "false" -> NEVER;
            default -> throw new IllegalArgumentException("'" + text + "' is not one of onApproval, onRequest, never");
        };
    }
}
