package dev.rewind.slack;

import com.slack.api.bolt.App;
import com.slack.api.model.event.MessageBotEvent;
import com.slack.api.model.event.MessageEvent;

import java.util.regex.Pattern;

/** Every command, action and view Rewind answers, mapped in one place. */
public final class SlackListeners {

    private SlackListeners() {
    }

    static void register(App app, CommandHandler commands, CardActions actions, AlertEvents alerts) {
        app.command(Pattern.compile("^/rollback.*"), commands::handle);
        app.blockAction(ActionIds.ROLL_BACK, actions::rollBack);
        app.blockAction(ActionIds.PICK_REVISION, actions::pick);
        app.blockAction(ActionIds.APPROVE, actions::approve);
        app.blockAction(ActionIds.BREAK_GLASS, actions::breakGlass);
        app.blockAction(ActionIds.OVERRIDE, actions::override);
        app.blockAction(ActionIds.MONITOR, actions::menu);
        app.blockAction(ActionIds.DISMISS, actions::dismiss);
        app.blockAction(ActionIds.RETRY, actions::retry);
        app.blockAction(ActionIds.FOLLOW_UP_ANY, actions::followUp);
        app.blockAction(ActionIds.OPEN_REPORT, (request, ctx) -> ctx.ack());
        app.blockAction(ActionIds.CANCEL_AUTO, actions::cancelAuto);
        app.viewSubmission(ActionIds.DISMISS_MODAL, actions::dismissSubmitted);
        app.event(MessageEvent.class, alerts::message);
        app.event(MessageBotEvent.class, alerts::botMessage);
    }
}
