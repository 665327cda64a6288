package dev.rewind.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.status.Status;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.MDC;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bot's own logback.xml (not the tests' logback-test.xml), configured with LOG_FORMAT as the
 * process would see it, and what it writes on standard output.
 */
class LogFormatTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What logback.xml writes while {@code logging} runs, LOG_FORMAT set to {@code format} (null: unset). */
    private static Output log(String format, Consumer<Logger> logging) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(MDC.getMDCAdapter());
        try (PrintStream capture = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            if (format != null) {
                context.putProperty("LOG_FORMAT", format);
            }
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
            logging.accept(context.getLogger("dev.rewind.rollback.RunExecutor"));
        } finally {
            System.setOut(original);
            context.stop();
        }
        return new Output(out.toString(StandardCharsets.UTF_8), context.getStatusManager().getCopyOfStatusList());
    }

    record Output(String text, List<Status> statuses) {
        List<String> lines() {
            return text.lines().toList();
        }
    }

    @Test
    void jsonWritesOneObjectPerLineWithTimeLevelLoggerMessageAndTheRunsMdc() throws Exception {
        Instant before = Instant.now();
        Output output = log("json", logger -> {
            MDC.put("run", "rb-7k2m9qx4tz");
            MDC.put("service", "checkout");
            try {
                logger.info("run {} restored {} to revision {}", "rb-7k2m9qx4tz", "checkout", "r2");
                logger.warn("a \"quoted\"\nmulti-line message", new IllegalStateException("adapter gave up"));
            } finally {
                MDC.clear();
            }
        });

        assertThat(output.lines()).hasSize(2);
        JsonNode info = JSON.readTree(output.lines().get(0));
        assertThat(info.path("level").asString()).isEqualTo("INFO");
        assertThat(info.path("loggerName").asString()).isEqualTo("dev.rewind.rollback.RunExecutor");
        assertThat(info.path("formattedMessage").asString()).isEqualTo("run rb-7k2m9qx4tz restored checkout to revision r2");
        assertThat(info.path("mdc").path("run").asString()).isEqualTo("rb-7k2m9qx4tz");
        assertThat(info.path("mdc").path("service").asString()).isEqualTo("checkout");
        assertThat(Instant.ofEpochMilli(info.path("timestamp").asLong())).isBetween(before, Instant.now().plus(Duration.ofSeconds(1)));
        assertThat(info.path("threadName").asString()).isNotEmpty();

        JsonNode warn = JSON.readTree(output.lines().get(1));
        assertThat(warn.path("level").asString()).isEqualTo("WARN");
        assertThat(warn.path("formattedMessage").asString()).isEqualTo("a \"quoted\"\nmulti-line message");
        assertThat(warn.path("throwable").path("message").asString()).isEqualTo("adapter gave up");
    }

    @Test
    void unsetOrTextKeepsTheReadableLinesAndLogbackStartsQuietly() throws Exception {
        for (String format : new String[] {null, "text", " TEXT ", "json"}) {
            assertThat(log(format, logger -> { }).statuses()).as("LOG_FORMAT=%s", format)
                    .noneMatch(status -> status.getLevel() >= Status.WARN);
        }
        for (String format : new String[] {null, "text", " TEXT "}) {
            Output output = log(format, logger -> logger.info("Listening on port {}", 3000));
            assertThat(output.lines()).as("LOG_FORMAT=%s", format).singleElement().asString()
                    .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[.+] d\\.r\\.r\\.RunExecutor - Listening on port 3000");
        }
    }

    @Test
    void anUnknownFormatLogsAsTextAndSaysWhy() throws Exception {
        Output output = log("xml", logger -> logger.info("Listening on port {}", 3000));
        assertThat(output.lines()).singleElement().asString().endsWith(" INFO  [main] d.r.r.RunExecutor - Listening on port 3000");
        // logback prints its start-up status on the console when it holds a warning
        assertThat(output.statuses()).filteredOn(status -> status.getLevel() == Status.WARN).extracting(Status::getMessage)
                .containsExactly("LOG_FORMAT is 'xml'; it must be text or json. Logging as text.");
    }
}
