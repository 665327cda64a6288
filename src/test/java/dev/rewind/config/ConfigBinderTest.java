package dev.rewind.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Durations and fractions as people write them, through Jackson, and what a bad one is told. */
class ConfigBinderTest {

    record Values(Duration delay, Fraction share, Integer count, @OneOrMore List<String> ids) {
    }

    private final List<String> warnings = new ArrayList<>();

    private Values bind(String key, Object value) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put(key, value);
        return ConfigBinder.bind(values, Values.class, "rewind.yml.x", warnings::add);
    }

    @ParameterizedTest(name = "{0} is {1} ms")
    @CsvSource({
            "0,         0",
            "45,        45000",
            "500ms,     500",
            "1s,        1000",
            "90s,       90000",
            "5m,        300000",
            "1h30m,     5400000",
            "1d,        86400000",
            "' 2m ',    120000"})
    void durationsReadAsPeopleWriteThem(String text, long millis) {
        assertThat(bind("delay", text).delay()).isEqualTo(Duration.ofMillis(millis));
    }

    @Test
    void aDurationWrittenAsANumberIsSeconds() {
        assertThat(bind("delay", 45).delay()).isEqualTo(Duration.ofSeconds(45));
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource({"soon", "5 minutes", "5x", "-5m", "1.5h", "m", "5m30"})
    void aBadDurationSaysHowToWriteOne(String text) {
        assertThatThrownBy(() -> bind("delay", text))
                .isInstanceOf(ConfigException.class)
                .hasMessage("rewind.yml.x.delay: '" + text + "' is not a duration (write e.g. 90s, 5m, 1h)");
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            "0,        0.0",
            "0%,       0.0",
            "0.05,     0.05",
            "5%,       0.05",
            "12.5%,    0.125",
            "100%,     1.0",
            "1,        1.0",
            "150%,     1.5",
            "' 5 % ',  0.05",
            "2.5,      2.5"})
    void fractionsReadAsDecimalsOrPercentages(String text, double value) {
        assertThat(bind("share", text).share().value()).isCloseTo(value, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(Fraction.parse(text).value()).isCloseTo(value, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void aFractionWrittenAsAYamlNumberIsThatNumber() {
        assertThat(bind("share", 0.05).share()).isEqualTo(new Fraction(0.05));
        assertThat(bind("share", 1).share()).isEqualTo(new Fraction(1));
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource({"five", "5%%", "%", "5 percent", "0x10", "NaN", "Infinity", "1e400", "5%5"})
    void aBadFractionSaysHowToWriteOne(String text) {
        assertThatThrownBy(() -> bind("share", text))
                .isInstanceOf(ConfigException.class)
                .hasMessage("rewind.yml.x.share must be a fraction like 0.05 or 5%, got '" + text + "'");
    }

    @Test
    void aMappingWhereOneValueBelongsIsNamed() {
        assertThatThrownBy(() -> bind("delay", Map.of("m", 5))).hasMessage("rewind.yml.x.delay must be a single value");
        assertThatThrownBy(() -> bind("share", List.of(1))).hasMessage("rewind.yml.x.share must be a single value");
    }

    @Test
    void wrongKindsSayWhatIsExpected() {
        assertThatThrownBy(() -> bind("count", "two")).hasMessage("rewind.yml.x.count must be a whole number, got 'two'");
        assertThatThrownBy(() -> bind("count", 1.5)).hasMessage("rewind.yml.x.count must be a whole number, got '1.5'");
        assertThatThrownBy(() -> bind("ids", Map.of("a", "b"))).hasMessage("rewind.yml.x.ids must be a list");
        assertThatThrownBy(() -> ConfigBinder.bind(Map.of("nested", "flat"), Nested.class, "rewind.yml.x", warnings::add))
                .hasMessage("rewind.yml.x.nested must be a mapping (key: value)");
    }

    record Nested(Values nested) {
    }

    record Texts(String text, Boolean flag) {
    }

    @Test
    void aNumberOrABooleanWhereTextBelongsIsReadAsItsText() {
        assertThat(ConfigBinder.bind(Map.of("text", 2024), Texts.class, "x", warnings::add).text()).isEqualTo("2024");
        assertThat(ConfigBinder.bind(Map.of("text", true), Texts.class, "x", warnings::add).text()).isEqualTo("true");
        assertThat(ConfigBinder.bind(Map.of("text", 0.5), Texts.class, "x", warnings::add).text()).isEqualTo("0.5");
    }

    @Test
    void onlyTrueOrFalseIsABoolean() {
        assertThat(ConfigBinder.bind(Map.of("flag", "false"), Texts.class, "x", warnings::add).flag()).isFalse();
        assertThatThrownBy(() -> ConfigBinder.bind(Map.of("flag", "yes"), Texts.class, "x", warnings::add))
                .hasMessage("x.flag must be true or false, got 'yes'");
        assertThatThrownBy(() -> ConfigBinder.bind(Map.of("flag", 1), Texts.class, "x", warnings::add))
                .hasMessage("x.flag must be true or false, got '1'");
    }

    @Test
    void oneValueIsAListOfOne() {
        assertThat(bind("ids", "S0SRE").ids()).containsExactly("S0SRE");
    }

    @Test
    void unknownKeysAreWarningsWithTheirPlace() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("nested", Map.of("dleay", "5m", "ids", List.of("U1")));
        values.put("extra", List.of(Map.of("a", 1)));
        Nested nested = ConfigBinder.bind(values, Nested.class, "rewind.yml.x", warnings::add);
        assertThat(nested.nested().ids()).containsExactly("U1");
        assertThat(warnings).containsExactly(
                "rewind.yml.x.nested.dleay is not a setting Rewind knows; it is ignored",
                "rewind.yml.x.extra is not a setting Rewind knows; it is ignored");
    }
}
