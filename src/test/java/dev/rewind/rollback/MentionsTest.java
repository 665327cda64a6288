package dev.rewind.rollback;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MentionsTest {

    private static final Mentions CHAT = new Mentions() {
        @Override
        public String user(String userId) {
            return "<@" + userId + ">";
        }

        @Override
        public String group(String groupId) {
            return "<!subteam^" + groupId + ">";
        }

        @Override
        public String channel(String channelId) {
            return "<#" + channelId + ">";
        }
    };

    @Test
    void neutralisedWordsReadTheSameAndNameNoOneWhileRewindsOwnTokensStillDo() {
        String typed = "page @{S0SRE} and @{U0MALLORY} in @{C0SECRET}";
        String sentence = "Approved by " + Mentions.token("U0ALICE") + ": " + Mentions.neutralise(typed);

        String shown = CHAT.expand(sentence);

        assertThat(shown).startsWith("Approved by <@U0ALICE>: ").doesNotContain("<!subteam^", "<@U0MALLORY>", "<#C0SECRET>");
        assertThat(shown.replace(Mentions.WORD_JOINER, "")).endsWith(typed);
        assertThat(Mentions.PLAIN.expand(sentence)).doesNotContain("@S0SRE", "#C0SECRET");
    }

    @Test
    void textWithoutTokensIsUntouchedAndNeutralisingTwiceChangesNothingMore() {
        assertThat(Mentions.neutralise("rolled back to r2 @ 14:00 {ok}")).isEqualTo("rolled back to r2 @ 14:00 {ok}");
        assertThat(Mentions.neutralise(null)).isNull();
        String once = Mentions.neutralise("@{S0SRE}");
        assertThat(Mentions.neutralise(once)).isEqualTo(once);
    }
}
