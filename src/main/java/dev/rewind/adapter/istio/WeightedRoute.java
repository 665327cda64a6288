package dev.rewind.adapter.istio;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One http route of a VirtualService that splits traffic between the stable and the canary subset,
 * as read: its index (JSON Patch paths need it), name, the position and weight of each side, and the
 * weight sent to other destinations (which Rewind will not move).
 */
record WeightedRoute(int index, String name, int stableAt, int stableWeight, int canaryAt, int canaryWeight,
                     int elsewhere, List<String> destinations) {

    /** The http routes carrying both subsets, in order; the others are not touched and not returned. */
    @SuppressWarnings("unchecked")
    static List<WeightedRoute> read(Object http, String stableSubset, String canarySubset) {
        List<WeightedRoute> routes = new ArrayList<>();
        if (!(http instanceof List<?> list)) {
            return routes;
        }
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> route) || !(route.get("route") instanceof List<?> destinations)) {
                continue;
            }
            int stableAt = -1;
            int canaryAt = -1;
            List<String> described = new ArrayList<>();
            int[] weights = new int[destinations.size()];
            for (int j = 0; j < destinations.size(); j++) {
                Map<String, Object> destination = destinations.get(j) instanceof Map<?, ?> d ? (Map<String, Object>) d : Map.of();
                Map<String, Object> target = destination.get("destination") instanceof Map<?, ?> t
                        ? (Map<String, Object>) t : Map.of();
                Object subset = target.get("subset");
                if (stableSubset.equals(subset) && stableAt < 0) {
                    stableAt = j;
                } else if (canarySubset.equals(subset) && canaryAt < 0) {
                    canaryAt = j;
                }
                weights[j] = weight(destination, destinations.size());
                described.add(target.get("host") + (subset == null ? "" : "/" + subset) + " " + weights[j] + "%");
            }
            if (stableAt >= 0 && canaryAt >= 0) {
                Object name = route.get("name");
                int elsewhere = 0;
                for (int j = 0; j < weights.length; j++) {
                    elsewhere += j == stableAt || j == canaryAt ? 0 : weights[j];
                }
                routes.add(new WeightedRoute(i, name == null ? "#" + i : String.valueOf(name),
                        stableAt, weights[stableAt], canaryAt, weights[canaryAt], elsewhere, described));
            }
        }
        return routes;
    }

    /** Istio's rule: a missing weight is 100 for a lone destination, else 0. */
    private static int weight(Map<String, Object> destination, int destinations) {
        Object weight = destination.get("weight");
        if (weight instanceof Number number) {
            return number.intValue();
        }
        if (weight != null) {
            try {
                return Integer.parseInt(String.valueOf(weight).trim());
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return destinations == 1 ? 100 : 0;
    }

    boolean allOnStable() {
        return stableWeight == 100 && canaryWeight == 0;
    }

    String weights(String stableSubset, String canarySubset) {
        return stableSubset + " " + stableWeight + "%, " + canarySubset + " " + canaryWeight + "%";
    }

    String path(int destination) {
        return "/spec/http/" + index + "/route/" + destination;
    }
}
