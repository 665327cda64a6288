package dev.rewind.rollback;

import dev.rewind.assess.Assessment;
import dev.rewind.assess.SignalReading;

import java.util.ArrayList;
import java.util.List;

/** The numbers of an assessment as samples: each signal's baseline and its value when assessed. */
final class Samples {

    private Samples() {
    }

    static List<SignalSample> of(Assessment assessment, boolean withBaseline) {
        List<SignalSample> samples = new ArrayList<>();
        for (SignalReading reading : assessment.signals()) {
            if (withBaseline) {
                reading.baselineValue().ifPresent(v ->
                        samples.add(new SignalSample(reading.name(), SignalSample.BASELINE, reading.baselineAt(), v)));
            }
            reading.value().ifPresent(v -> samples.add(new SignalSample(reading.name(), SignalSample.ASSESSED, reading.at(), v)));
        }
        return samples;
    }
}
