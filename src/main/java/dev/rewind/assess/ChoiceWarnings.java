package dev.rewind.assess;

import dev.rewind.adapter.Revision;
import dev.rewind.adapter.TargetState;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Warnings about the revision chosen for a rollback, beyond what the adapter sees in the target. */
public final class ChoiceWarnings {

    /** Going back further than this many deploys risks stale config or an older schema. */
    public static final int DEPLOYS_BACK = 3;

    private ChoiceWarnings() {
    }

    public static List<String> of(TargetState state, Optional<Revision> chosen) {
        List<String> warnings = new ArrayList<>();
        if (chosen.isEmpty()) {
            return warnings;
        }
        int back = state.candidates().indexOf(chosen.get()) + 1;
        if (back >= DEPLOYS_BACK) {
            warnings.add(chosen.get().label() + " is " + back + " deploys older than " + state.current().label()
                    + ": it may carry stale config or expect an older schema");
        }
        return warnings;
    }
}
