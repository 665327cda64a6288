package dev.rewind.readiness;

import dev.rewind.adapter.Revision;
import dev.rewind.adapter.TargetState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The generic check every target gets: is there something different to go back to? */
class PreviousRevisionTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no earlier revision        | -              | -     | FAILED  | has no revision before r4 to go back to",
            "same image, same settings  | shop/app:1.4   | v4    | FAILED  | r3 is the same as the live r4 (shop/app:1.4, same settings): rolling back would change nothing",
            "same image, other settings | shop/app:1.4   | v3    | WARNING | r3 runs the same image as the live r4 (shop/app:1.4): only its settings differ",
            "another image              | shop/app:1.3   | v3    | OK      | r3 (shop/app:1.3) differs from the live r4 (shop/app:1.4)"})
    void judgesThePreviousRevisionAgainstTheLiveOne(String situation, String previousImage, String previousFeature,
                                                    ReadinessCheck.Status expected, String detail) {
        Revision live = revision("r4", "shop/app:1.4", "v4");
        List<Revision> candidates = new ArrayList<>();
        if (!previousImage.equals("-")) {
            candidates.add(revision("r3", previousImage, previousFeature));
        }
        ReadinessCheck check = ServiceReadiness.previousRevision("", new TargetState("shop/app", live, candidates, List.of(),
                List.of()));

        assertThat(check.status()).as(situation).isEqualTo(expected);
        assertThat(check.detail()).contains(detail);
        assertThat(check.fix().isPresent()).as("a fix is given unless all is well").isEqualTo(expected != ReadinessCheck.Status.OK);
    }

    private static Revision revision(String label, String image, String feature) {
        return new Revision(label + "-id", label, List.of(image), Optional.empty(), Optional.empty(),
                Map.of("container app image", image, "container app env FEATURE", feature));
    }
}
