package dev.rewind.assess;

import dev.rewind.adapter.Revision;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ChangePreviewTest {

    private static Revision revision(Map<String, String> attributes) {
        return new Revision("x", "rx", List.of(), Optional.empty(), Optional.empty(), attributes);
    }

    @Test
    void listsImageArgsEnvAndResourceChangesWithoutEverShowingEnvValues() {
        Map<String, String> current = new LinkedHashMap<>();
        current.put("container app image", "shop/checkout:1.4.2");
        current.put("container app args", "--workers 8");
        current.put("container app env DB_PASSWORD", "value sha256:aaaaaaaaaaaa");
        current.put("container app env NEW_FLAG", "value sha256:bbbbbbbbbbbb");
        current.put("container app limits memory", "1Gi");
        Map<String, String> target = new LinkedHashMap<>();
        target.put("container app image", "shop/checkout:1.4.1");
        target.put("container app args", "--workers 4");
        target.put("container app env DB_PASSWORD", "value sha256:cccccccccccc");
        target.put("container app limits memory", "1Gi");
        target.put("container app env OLD", "from secret db/url");

        List<String> changes = ChangePreview.between(revision(current), revision(target)).stream()
                .map(ChangePreview.Change::describe).toList();

        assertThat(changes).containsExactly(
                "container app image: shop/checkout:1.4.2 → shop/checkout:1.4.1",
                "container app args: --workers 8 → --workers 4",
                "container app env DB_PASSWORD changed",
                "container app env OLD added: from secret db/url",
                "container app env NEW_FLAG removed");
        assertThat(String.join(" ", changes)).doesNotContain("sha256");
    }
}
