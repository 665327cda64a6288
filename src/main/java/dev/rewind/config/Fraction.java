package dev.rewind.config;

/**
 * A share as people write it in {@code rewind.yml}: {@code 0.05} or {@code 5%} (both 0.05). Not
 * limited to 0..1, because a policy's {@code above} may also compare a latency in seconds.
 */
public record Fraction(double value) {

    public Fraction {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("a fraction must be a finite number, got " + value);
        }
    }

    /**
     * @throws IllegalArgumentException saying what was expected, for a text that is not a number or a percentage
     */
    public static Fraction parse(String text) {
        String trimmed = text == null ? "" : text.trim();
        boolean percent = trimmed.endsWith("%");
        String number = percent ? trimmed.substring(0, trimmed.length() - 1).trim() : trimmed;
        try {
            double value = Double.parseDouble(number);
            if (Double.isFinite(value) && number.matches("[-+]?[0-9.]+([eE][-+]?[0-9]+)?")) {
                return new Fraction(percent ? value / 100 : value);
            }
        } catch (NumberFormatException e) {
            // said below, in the words of the file
        }
        throw new IllegalArgumentException("must be a fraction like 0.05 or 5%, got '" + text + "'");
    }
}
