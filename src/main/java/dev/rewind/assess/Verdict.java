package dev.rewind.assess;

import java.util.List;

/** A tier and the sentences that justify it ("error rate 18.2% vs 0.4% before the deploy (45×) → FAST"). */
public record Verdict(Tier tier, List<String> reasons) {
    public Verdict {
        reasons = List.copyOf(reasons);
    }
}
