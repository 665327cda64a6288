package dev.rewind.assess;

import dev.rewind.signals.Reading;

import java.time.Instant;
import java.util.Optional;

/**
 * One signal now and at its baseline, with the exact query and times used so a person can check.
 *
 * @param baselineBasis how the baseline time was chosen ("before r41 was deployed", "offset 1h")
 */
public record SignalReading(
        String name,
        String query,
        Reading now,
        Reading baseline,
        Instant at,
        Instant baselineAt,
        String baselineBasis) {

    public Optional<Double> value() {
        return now instanceof Reading.Value v ? Optional.of(v.value()) : Optional.empty();
    }

    public Optional<Double> baselineValue() {
        return baseline instanceof Reading.Value v ? Optional.of(v.value()) : Optional.empty();
    }

    /** now / baseline, when both are numbers and the baseline is not zero. */
    public Optional<Double> ratio() {
        if (value().isEmpty() || baselineValue().isEmpty() || baselineValue().get() == 0.0) {
            return Optional.empty();
        }
        return Optional.of(value().get() / baselineValue().get());
    }

    public SignalKind kind() {
        return SignalKind.of(name);
    }
}
