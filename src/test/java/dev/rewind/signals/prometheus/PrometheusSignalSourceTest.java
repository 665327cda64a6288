package dev.rewind.signals.prometheus;

import dev.rewind.signals.Reading;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PrometheusSignalSourceTest {

    @Test
    void readsOneNumberFromAVectorOrAScalar() {
        assertThat(PrometheusSignalSource.interpret(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
                + "\"result\":[{\"metric\":{},\"value\":[1700000000,\"0.182\"]}]}}")).isEqualTo(new Reading.Value(0.182));
        assertThat(PrometheusSignalSource.interpret(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
                + "\"result\":[1700000000,\"3\"]}}")).isEqualTo(new Reading.Value(3));
    }

    @Test
    void sayWhatIsMissing() {
        assertThat(PrometheusSignalSource.interpret(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}"))
                .isEqualTo(new Reading.NoData());
        assertThat(PrometheusSignalSource.interpret(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
                + "\"result\":[{\"value\":[1,\"NaN\"]}]}}")).isEqualTo(new Reading.NoData());
        assertThat(PrometheusSignalSource.interpret(400, "{\"status\":\"error\",\"errorType\":\"bad_data\","
                + "\"error\":\"parse error at char 5: unexpected\"}"))
                .isEqualTo(new Reading.Unavailable("query error: parse error at char 5: unexpected"));
        assertThat(PrometheusSignalSource.interpret(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
                + "\"result\":[{\"value\":[1,\"1\"]},{\"value\":[1,\"2\"]}]}}").describe())
                .contains("returned 2 series").contains("sum()");
        assertThat(PrometheusSignalSource.interpret(502, "<html>bad gateway</html>").describe())
                .isEqualTo("Prometheus answered HTTP 502 with a body that is not JSON");
    }
}
