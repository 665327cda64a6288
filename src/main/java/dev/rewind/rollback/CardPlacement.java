package dev.rewind.rollback;


/** What became of posting a new card. */
public sealed interface CardPlacement {

    /** Posted; here it is. */
    record Posted(RollbackRun.CardRef card) implements CardPlacement {
    }

    /** Chat is slow or rate-limited: the card will be posted as soon as it can, and attached then. */
    record Queued() implements CardPlacement {
    }

    /** This channel will not take it (the bot is not in it, it is archived…): try another. */
    record Refused(String reason) implements CardPlacement {
    }
}
