package dev.rewind.logging;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;

import java.util.Locale;

/**
 * The console's encoder, as LOG_FORMAT says: {@code text} (unset, the default) writes {@code pattern};
 * {@code json} writes one JSON object per line with logback's {@link JsonEncoder}: {@code timestamp}
 * (epoch milliseconds), {@code level}, {@code threadName}, {@code loggerName}, {@code mdc} (the run id
 * and service while a rollback is executing), {@code formattedMessage} and {@code throwable}. Any
 * other value writes text and says why in logback's start-up status, which logback prints.
 */
public final class LogEncoder extends EncoderBase<ILoggingEvent> {

    private String format = "";
    private String pattern = "%msg%n";
    private Encoder<ILoggingEvent> delegate;

    /** LOG_FORMAT as logback read it ({@code ${LOG_FORMAT:-text}} in logback.xml). */
    public void setFormat(String format) {
        this.format = format == null ? "" : format;
    }

    /** The layout of a text line. */
    public void setPattern(String pattern) {
        this.pattern = pattern;
    }

    @Override
    public void start() {
        String value = format.strip().toLowerCase(Locale.ROOT);
        if (value.equals("json")) {
            JsonEncoder json = new JsonEncoder();
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.setWithContext(false);
            json.setWithMessage(false);
            json.setWithArguments(false);
            json.setWithFormattedMessage(true);
            delegate = json;
        } else {
            if (!value.isEmpty() && !value.equals("text")) {
                addWarn("LOG_FORMAT is '" + format + "'; it must be text or json. Logging as text.");
            }
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setPattern(pattern);
            delegate = text;
        }
        delegate.setContext(getContext());
        delegate.start();
        super.start();
    }

    @Override
    public void stop() {
        if (delegate != null) {
            delegate.stop();
        }
        super.stop();
    }

    @Override
    public byte[] headerBytes() {
        return delegate.headerBytes();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return delegate.encode(event);
    }

    @Override
    public byte[] footerBytes() {
        return delegate.footerBytes();
    }
}
