package dev.rewind.config;

/**
 * A multiple of a baseline as people write it in {@code rewind.yml}: {@code 3x}, {@code 0.8x} or a plain
 * {@code 3}. Used by a policy's {@code aboveBaseline}/{@code belowBaseline}.
 */
public record Factor(double value) {

    public Factor {
        if (!Double.isFinite(value) || value <= 0) {
            throw new IllegalArgumentException("a factor must be a positive number, got " + value);
        }
    }

    /** @throws IllegalArgumentException saying what was expected, for a text that is not a positive multiple */
    public static Factor parse(String text) {
        String trimmed = text == null ? "" : text.trim();
        String number = trimmed.endsWith("x") || trimmed.endsWith("X") ? trimmed.substring(0, trimmed.length() - 1).trim() : trimmed;
        if (number.matches("[+]?[0-9]*\\.?[0-9]+")) {
            double value = Double.parseDouble(number);
            if (value > 0) {
                return new Factor(value);
            }
        }
        throw new IllegalArgumentException("must be a positive multiple like 3x or 0.8x, got '" + text + "'");
    }

    /** {@code 3x}, {@code 0.8x}. */
    @Override
    public String toString() {
        return (value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value)) + "x";
    }
}
