package dev.rewind.store;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.rewind.assess.Assessment;
import dev.rewind.signals.Reading;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** Assessments as JSON in the runs table, so a card or report can be rebuilt exactly after a restart. */
final class AssessmentJson {

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Reading.Value.class, name = "value"),
            @JsonSubTypes.Type(value = Reading.NoData.class, name = "no-data"),
            @JsonSubTypes.Type(value = Reading.Unavailable.class, name = "unavailable")})
    private interface ReadingMixin {
    }

    private static final ObjectMapper JSON = JsonMapper.builder()
            .addMixIn(Reading.class, ReadingMixin.class)
            .build();

    private AssessmentJson() {
    }

    static String write(Assessment assessment) {
        return JSON.writeValueAsString(assessment);
    }

    static Assessment read(String json) {
        return JSON.readValue(json, Assessment.class);
    }
}
