package dev.rewind.adapter.flags;

import dev.rewind.adapter.TargetState;

import java.util.List;

/**
 * A flag as its service reports it: on or off in the environment, plus facts for the card
 * (type, strategies, last change…).
 */
public record FlagState(boolean on, List<TargetState.Fact> facts) {

    public FlagState {
        facts = List.copyOf(facts);
    }

    static String word(boolean on) {
        return on ? "on" : "off";
    }
}
