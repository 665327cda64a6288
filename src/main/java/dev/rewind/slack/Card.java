package dev.rewind.slack;

import com.slack.api.model.block.LayoutBlock;

import java.util.List;

/** A rendered Slack message: the notification text and its blocks. */
public record Card(String text, List<LayoutBlock> blocks) {
    public Card {
        blocks = List.copyOf(blocks);
    }
}
