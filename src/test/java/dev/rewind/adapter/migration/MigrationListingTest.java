package dev.rewind.adapter.migration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** How a listing's output is cut down for the card. */
class MigrationListingTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            one line                   | 0042_add_refunds\\n                          | 0042_add_refunds
            blank lines are dropped    | \\n0042_add_refunds\\n   \\n0041_index\\n\\n  | 0042_add_refunds\\n0041_index
            indentation is kept        | '  0042_add_refunds  \\n'                    | '  0042_add_refunds'
            nothing printed            | '\\n  \\n'                                   | (the listing printed nothing)
            ten lines: no remainder    | 1\\n2\\n3\\n4\\n5\\n6\\n7\\n8\\n9\\n10           | 1\\n2\\n3\\n4\\n5\\n6\\n7\\n8\\n9\\n10
            eleven lines: one more     | 1\\n2\\n3\\n4\\n5\\n6\\n7\\n8\\n9\\n10\\n11       | 1\\n2\\n3\\n4\\n5\\n6\\n7\\n8\\n9\\n10\\n… and 1 more
            """)
    void showsTheFirstTenLinesAndCountsTheRest(String why, String log, String shown) {
        assertThat(MigrationListing.summary(unescape(log))).isEqualTo(unescape(shown));
    }

    @ParameterizedTest(name = "a line of {0} characters")
    @CsvSource({"200, 200", "201, 200"})
    void clipsVeryLongLines(int length, int shownLength) {
        String shown = MigrationListing.summary("x".repeat(length));
        assertThat(shown).hasSize(shownLength);
        assertThat(shown.endsWith("…")).isEqualTo(length > shownLength);
    }

    private static String unescape(String text) {
        return text.replace("\\n", "\n");
    }
}
