package dev.rewind.rollback;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How people and channels are named. The domain writes a neutral token ({@link #token}) into its
 * sentences; each front end expands the tokens its own way: a Slack mention or channel link on a card,
 * a plain {@code @U123} or {@code #C123} in a report.
 */
public interface Mentions {

    Pattern TOKEN = Pattern.compile("@\\{([A-Za-z0-9._-]+)}");

    String user(String userId);

    String group(String groupId);

    /** What {@link #neutralise} puts between {@code @} and <code>{</code>: invisible, so the text reads as typed. */
    String WORD_JOINER = "\u2060";

    /**
     * {@code text} from outside Rewind (a typed reason, an alert's name, labels or annotations, a
     * receiver's or an adapter's message) made unable to name anyone: every <code>@{</code> gets an
     * invisible word joiner inside it, so no front end expands it into a mention, a group ping or a
     * channel link. Applied where such text enters a sentence Rewind stores or shows.
     */
    static String neutralise(String text) {
        return text == null || text.indexOf("@{") < 0 ? text : text.replace("@{", "@" + WORD_JOINER + "{");
    }

    /** The neutral token for a user or group id, for the domain's sentences. */
    static String token(String id) {
        return "@{" + id + "}";
    }

    /** A channel; chat front ends link it. */
    default String channel(String channelId) {
        return "#" + channelId;
    }

    default String any(String id) {
        if (id.startsWith("S")) {
            return group(id);
        }
        if (id.matches("[CG][A-Z0-9]{2,}")) {
            return channel(id);
        }
        if (id.startsWith("U") || id.startsWith("W")) {
            return user(id);
        }
        return id;
    }

    /** {@code text} with every token replaced by this front end's way of naming the person. */
    default String expand(String text) {
        if (text == null || text.indexOf("@{") < 0) {
            return text;
        }
        Matcher matcher = TOKEN.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(out, Matcher.quoteReplacement(any(matcher.group(1))));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /** Ids as {@code @U123}, for reports, logs and anything that is not chat. */
    Mentions PLAIN = new Mentions() {
        @Override
        public String user(String userId) {
            return userId.matches("[UW][A-Z0-9]+") ? "@" + userId : userId;
        }

        @Override
        public String group(String groupId) {
            return "@" + groupId;
        }
    };
}
